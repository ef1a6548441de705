import Glibc

/// Name resolution and non-blocking TCP connect with a deadline.
enum HTTPClientSocket {
    /// Resolves `host` and connects to the first address that accepts, within `deadline`.
    /// Returns a non-blocking, close-on-exec socket the caller owns.
    // getaddrinfo itself cannot be interrupted; it runs on the client's worker queue, never on the
    // cooperative pool, and the resolver's own timeouts (resolv.conf) bound it.
    static func connect(
        host: String, port: Int, deadline: ContinuousClock.Instant, cancellation: HTTPClientCancellation
    ) throws(HTTPClientError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            let reason = String(cString: gai_strerror(status))
            throw HTTPClientError(.nameResolutionFailed, "cannot resolve host: \(reason)")
        }
        defer { freeaddrinfo(list) }

        var lastError = HTTPClientError(.connectFailed, "no usable address")
        var entry: UnsafeMutablePointer<addrinfo>? = list
        var tried = 0
        // Bounded: at most 16 addresses, each attempt limited by the shared deadline.
        while let current = entry, tried < 16 {
            tried += 1
            entry = current.pointee.ai_next
            do {
                return try attempt(current.pointee, deadline: deadline, cancellation: cancellation)
            } catch {
                if error.code == .cancelled { throw error }
                lastError = error
                if error.code == .timeout { break }
            }
        }
        throw lastError
    }

    private static func attempt(_ address: addrinfo, deadline: ContinuousClock.Instant, cancellation: HTTPClientCancellation) throws(HTTPClientError) -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let fd = socket(address.ai_family, type, 0)
        guard fd >= 0 else { throw HTTPClientError(.connectFailed, "socket() failed (errno \(errno))") }
        var keep = false
        defer { if !keep { close(fd) } }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))

        if Glibc.connect(fd, address.ai_addr, address.ai_addrlen) != 0 {
            guard errno == EINPROGRESS || errno == EINTR else {
                throw HTTPClientError(.connectFailed, "connect failed (errno \(errno))")
            }
            do {
                try HTTPClientPoll.wait(fd, writable: true, until: deadline, cancellation: cancellation)
            } catch where error.code == .timeout {
                throw HTTPClientError(.timeout, HTTPClientError.connectTimeoutMessage)
            }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length) == 0, socketError == 0 else {
                throw HTTPClientError(.connectFailed, "connect failed (errno \(socketError))")
            }
        }
        keep = true
        return fd
    }
}
