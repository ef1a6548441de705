#if canImport(Glibc)
import Glibc
private let streamType = Int32(SOCK_STREAM.rawValue)
private let datagramType = Int32(SOCK_DGRAM.rawValue)
#elseif canImport(Musl)
import Musl
private let streamType = SOCK_STREAM
private let datagramType = SOCK_DGRAM
#elseif canImport(Darwin)
import Darwin
private let streamType = SOCK_STREAM
private let datagramType = SOCK_DGRAM
#endif

/// Blocking-but-bounded DNS exchanges over UDP and TCP: non-blocking sockets, every wait in poll()
/// capped by the deadline. Callers run these on a dedicated queue, never on the cooperative pool.
enum DNSTransport {
    /// Largest message read over UDP or TCP (the 16-bit TCP length prefix caps it anyway).
    static let maxMessageSize = 65535

    /// Sends `query` over UDP and returns the first datagram `accept` approves. Datagrams that fail
    /// `accept` (wrong ID or question: late or spoofed) are dropped and the wait goes on, so `accept` must
    /// not ask for more than the header and question: a TC=1 answer may be cut anywhere after them.
    static func udpExchange(
        _ query: [UInt8], server: DNSServerAddress, deadline: ContinuousClock.Instant,
        accept: ([UInt8]) -> Bool
    ) throws(DNSError) -> [UInt8] {
        let socket = try Socket.connected(to: server, type: datagramType, deadline: deadline)
        let sent = query.withUnsafeBytes { send(socket.fd, $0.baseAddress, $0.count, 0) }
        guard sent == query.count else { throw socket.error("send to \(server) failed") }
        var buffer = [UInt8](repeating: 0, count: maxMessageSize)
        while true {
            try socket.wait(for: Int16(POLLIN), until: deadline, what: "answer from \(server)")
            let received = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, 0) }
            if received < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                throw socket.error("receive from \(server) failed")
            }
            let datagram = Array(buffer[0..<received])
            if accept(datagram) { return datagram }
        }
    }

    /// Sends `query` over TCP with its 2-byte length prefix (RFC 1035 §4.2.2) and reads one answer.
    static func tcpExchange(
        _ query: [UInt8], server: DNSServerAddress, deadline: ContinuousClock.Instant
    ) throws(DNSError) -> [UInt8] {
        guard query.count <= maxMessageSize else { throw DNSError(.malformed, "query too long for TCP") }
        let socket = try Socket.connected(to: server, type: streamType, deadline: deadline)
        try socket.writeAll([UInt8(query.count >> 8), UInt8(query.count & 0xFF)] + query, until: deadline)
        let prefix = try socket.readExactly(2, until: deadline)
        let length = Int(prefix[0]) << 8 | Int(prefix[1])
        return try socket.readExactly(length, until: deadline)
    }
}

/// Owns one non-blocking socket descriptor; closes it in deinit.
private final class Socket {
    let fd: Int32
    private let server: DNSServerAddress

    private init(fd: Int32, server: DNSServerAddress) {
        self.fd = fd
        self.server = server
    }

    deinit { close(fd) }

    /// Opens a non-blocking socket connected to `server`. For UDP, connect() makes the kernel drop
    /// datagrams from other sources and picks a random ephemeral source port.
    static func connected(
        to server: DNSServerAddress, type: Int32, deadline: ContinuousClock.Instant
    ) throws(DNSError) -> Socket {
        guard let address = SocketAddress(host: server.host, port: server.port) else {
            throw DNSError(.configuration, "DNS server \(server) is not a numeric address")
        }
        let fd = socket(address.family, type, 0)
        guard fd >= 0 else { throw DNSError(.network, "socket() failed: errno \(errno)") }
        let socket = Socket(fd: fd, server: server)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        guard fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0 else {
            throw socket.error("cannot make socket non-blocking")
        }
        let result = address.withSockaddr { connect(fd, $0, $1) }
        if result != 0 {
            guard errno == EINPROGRESS else { throw socket.error("connect to \(server) failed") }
            try socket.wait(for: Int16(POLLOUT), until: deadline, what: "connection to \(server)")
            var status: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &status, &length) == 0, status == 0 else {
                throw DNSError(.network, "connect to \(server) failed: errno \(status)")
            }
        }
        return socket
    }

    /// Waits in poll() for `events`, bounded by `deadline`.
    func wait(for events: Int16, until deadline: ContinuousClock.Instant, what: String) throws(DNSError) {
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { throw DNSError(.timeout, "no \(what) in time") }
            let (seconds, attoseconds) = left.components
            let milliseconds = max(1, min(Int64(Int32.max), seconds * 1000 + attoseconds / 1_000_000_000_000_000))
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(milliseconds))
            if ready < 0 {
                if errno == EINTR { continue }
                throw error("poll failed")
            }
            if ready == 0 { continue }
            if descriptor.revents & Int16(POLLERR | POLLNVAL) != 0 && descriptor.revents & events == 0 {
                var status: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &status, &length)
                throw DNSError(.network, "\(what) failed: errno \(status)")
            }
            return
        }
    }

    func writeAll(_ bytes: [UInt8], until deadline: ContinuousClock.Instant) throws(DNSError) {
        var offset = 0
        while offset < bytes.count {
            try wait(for: Int16(POLLOUT), until: deadline, what: "TCP send to \(server)")
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                throw error("TCP send to \(server) failed")
            }
            offset += written
        }
    }

    func readExactly(_ count: Int, until deadline: ContinuousClock.Instant) throws(DNSError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            try wait(for: Int16(POLLIN), until: deadline, what: "TCP answer from \(server)")
            let received = buffer[offset...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                throw error("TCP receive from \(server) failed")
            }
            guard received > 0 else { throw DNSError(.network, "\(server) closed the TCP connection early") }
            offset += received
        }
        return buffer
    }

    /// Captures errno at once into a `.network` error.
    func error(_ what: String) -> DNSError {
        let code = errno
        return DNSError(.network, "\(what): errno \(code)")
    }
}
