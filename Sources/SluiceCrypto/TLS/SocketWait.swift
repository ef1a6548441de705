#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// poll(2) on one descriptor until it is ready or `deadline` passes; never blocks forever.
enum SocketWait {
    enum Direction { case read, write }

    static func wait(_ fd: Int32, for direction: Direction, until deadline: ContinuousClock.Instant) throws(CryptoError) {
        // Bounded: each pass either returns, throws, or sleeps in poll until the deadline shrinks.
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { throw CryptoError(.timeout, "TLS operation timed out") }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            var descriptor = pollfd(fd: fd, events: Int16(direction == .read ? POLLIN : POLLOUT), revents: 0)
            let result = poll(&descriptor, 1, milliseconds)
            if result > 0 { return }  // readable, writable, or HUP/ERR: the next SSL call reports which
            if result < 0 && errno != EINTR { throw CryptoError(.io, "poll failed (errno \(errno))") }
        }
    }

    /// Sets O_NONBLOCK on `fd`.
    static func makeNonBlocking(_ fd: Int32) throws(CryptoError) {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw CryptoError(.io, "cannot make socket non-blocking (errno \(errno))")
        }
    }
}
