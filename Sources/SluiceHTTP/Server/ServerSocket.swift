import Glibc

/// Conversions between text addresses and sockaddr structures.
enum ServerSocket {
    /// "a.b.c.d:port" or "[v6]:port".
    static func describe(_ storage: sockaddr_storage) -> String {
        var copy = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &copy) { p in
                p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var addr = sin.pointee.sin_addr
                    inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
                    return "\(cString(text)):\(UInt16(bigEndian: sin.pointee.sin_port))"
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &copy) { p in
                p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    var addr = sin6.pointee.sin6_addr
                    inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count))
                    return "[\(cString(text))]:\(UInt16(bigEndian: sin6.pointee.sin6_port))"
                }
            }
        default:
            return "unknown"
        }
    }

    private static func cString(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `listen` can bind `host`: a numeric IPv4 or IPv6 address, or `localhost`.
    static func isBindable(host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return host == "localhost" || inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// Creates a non-blocking listening socket bound to host:port with SO_REUSEPORT.
    static func listen(host: String, port: Int, backlog: Int32) throws(HTTPServerError) -> Int32 {
        try bound(host: host, port: port, reusePort: true, listenBacklog: backlog)
    }

    /// Throws `.bindFailed` when another socket holds host:port. SO_REUSEPORT lets any process of the same
    /// user join a listening group and take a share of its connections (a second instance on another
    /// database would then answer some requests): so before the group is made, a socket without it must be
    /// able to bind the port. Port 0 is always free.
    static func checkPortIsFree(host: String, port: Int) throws(HTTPServerError) {
        guard port != 0 else { return }
        let fd: Int32
        do {
            fd = try bound(host: host, port: port, reusePort: false, listenBacklog: nil)
        } catch {
            guard error.errno == EADDRINUSE else { throw error }
            throw HTTPServerError(.bindFailed, "Another process is listening on \(host):\(port)", errno: EADDRINUSE)
        }
        close(fd)
    }

    /// A non-blocking socket bound to host:port, listening when `listenBacklog` is given.
    private static func bound(host: String, port: Int, reusePort: Bool, listenBacklog: Int32?) throws(HTTPServerError) -> Int32 {
        var v4 = in_addr()
        var v6 = in6_addr()
        let family: Int32
        if inet_pton(AF_INET, host, &v4) == 1 {
            family = AF_INET
        } else if inet_pton(AF_INET6, host, &v6) == 1 {
            family = AF_INET6
        } else if host == "localhost" {
            family = AF_INET
            inet_pton(AF_INET, "127.0.0.1", &v4)
        } else {
            // `isBindable` says the same ahead of time (`sluice config check`).
            throw HTTPServerError(.invalidConfiguration, "Host must be a numeric IPv4 or IPv6 address")
        }
        guard (0...65535).contains(port) else { throw HTTPServerError(.invalidConfiguration, "Port out of range") }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError(.bindFailed, "socket() failed", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if reusePort { setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) }
        let rc: Int32
        if family == AF_INET {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = UInt16(port).bigEndian
            sin.sin_addr = v4
            rc = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        } else {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = UInt16(port).bigEndian
            sin6.sin6_addr = v6
            rc = withUnsafePointer(to: &sin6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        }
        if rc != 0 || (listenBacklog.map { Glibc.listen(fd, $0) } ?? 0) != 0 {
            let e = errno
            close(fd)
            throw HTTPServerError(.bindFailed, "Could not bind or listen on the configured address", errno: e)
        }
        return fd
    }

    /// The local port a socket is bound to.
    static func localPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return withUnsafePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }
}
