import Glibc

// The Swift `Glibc` module does not map <sys/epoll.h> or <sys/eventfd.h>, and `accept4` needs
// _GNU_SOURCE. Package.swift has no Linux C shim target for SluiceHTTP, so these few libc symbols
// are bound by name. Every argument is an integer or a pointer, which the Swift calling convention
// passes in the same registers as the C one on x86_64 and arm64. A `CSluiceLinux` shim target
// would be the cleaner home; nothing outside this file depends on how they are bound.
@_silgen_name("epoll_create1")
private func c_epoll_create1(_ flags: Int32) -> Int32
@_silgen_name("epoll_ctl")
private func c_epoll_ctl(_ epfd: Int32, _ op: Int32, _ fd: Int32, _ event: UnsafeMutableRawPointer?) -> Int32
@_silgen_name("epoll_wait")
private func c_epoll_wait(_ epfd: Int32, _ events: UnsafeMutableRawPointer, _ max: Int32, _ timeout: Int32) -> Int32
@_silgen_name("eventfd")
private func c_eventfd(_ initval: UInt32, _ flags: Int32) -> Int32
@_silgen_name("accept4")
private func c_accept4(
    _ fd: Int32, _ addr: UnsafeMutablePointer<sockaddr>?, _ len: UnsafeMutablePointer<socklen_t>?, _ flags: Int32
) -> Int32

@_silgen_name("memmem")
private func c_memmem(_ haystack: UnsafeRawPointer, _ haystackLength: Int, _ needle: UnsafeRawPointer, _ needleLength: Int) -> UnsafeMutableRawPointer?

/// Thin wrappers over the Linux calls the event loop needs.
enum ServerSyscalls {
    static let epollIn: UInt32 = 0x001
    static let epollOut: UInt32 = 0x004
    static let epollErr: UInt32 = 0x008
    static let epollHup: UInt32 = 0x010
    static let epollRdHup: UInt32 = 0x2000
    static let epollExclusive: UInt32 = 1 << 28
    static let epollEdgeTriggered: UInt32 = 1 << 31

    private static let cloexec: Int32 = 0o2_000_000
    private static let nonblock: Int32 = 0o4_000

    // struct epoll_event is packed (12 bytes) on x86_64 and naturally aligned (16 bytes) elsewhere.
    #if arch(x86_64)
    static let epollEventSize = 12
    static let epollDataOffset = 4
    #else
    static let epollEventSize = 16
    static let epollDataOffset = 8
    #endif

    static func epollCreate() -> Int32 { c_epoll_create1(cloexec) }

    /// Adds `fd` with `events`, tagging it with `token`.
    static func epollAdd(_ epfd: Int32, _ fd: Int32, events: UInt32, token: UInt64) -> Int32 {
        epollControl(epfd, op: 1, fd, events: events, token: token)
    }

    static func epollRemove(_ epfd: Int32, _ fd: Int32) -> Int32 {
        epollControl(epfd, op: 2, fd, events: 0, token: 0)
    }

    private static func epollControl(_ epfd: Int32, op: Int32, _ fd: Int32, events: UInt32, token: UInt64) -> Int32 {
        withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { raw in
            raw.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: token, toByteOffset: epollDataOffset, as: UInt64.self)
            return c_epoll_ctl(epfd, op, fd, raw.baseAddress)
        }
    }

    static func epollWait(_ epfd: Int32, into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int32) -> Int32 {
        c_epoll_wait(epfd, buffer.baseAddress!, Int32(buffer.count / epollEventSize), timeoutMilliseconds)
    }

    /// Reads event `index` of an epoll_wait result as (events, token).
    static func epollEvent(_ buffer: UnsafeMutableRawBufferPointer, _ index: Int) -> (events: UInt32, token: UInt64) {
        let base = index * epollEventSize
        return (
            buffer.loadUnaligned(fromByteOffset: base, as: UInt32.self),
            buffer.loadUnaligned(fromByteOffset: base + epollDataOffset, as: UInt64.self)
        )
    }

    static func makeEventFD() -> Int32 { c_eventfd(0, cloexec | nonblock) }

    static func accept(_ fd: Int32, _ addr: UnsafeMutablePointer<sockaddr>, _ len: UnsafeMutablePointer<socklen_t>) -> Int32 {
        c_accept4(fd, addr, len, cloexec | nonblock)
    }

    static func memmem(_ haystack: UnsafeRawPointer, _ count: Int, _ needle: UnsafeRawPointer, _ needleCount: Int) -> UnsafeMutableRawPointer? {
        c_memmem(haystack, count, needle, needleCount)
    }

    /// Monotonic time in nanoseconds.
    @inline(__always)
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
