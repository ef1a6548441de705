import Glibc

/// Name resolution and non-blocking TCP connect with a deadline.
enum HTTPClientSocket {
    /// Resolves `host` and connects to the first address that accepts, within `deadline`; each address
    /// gets a share of the time, so one that never answers does not use it all.
    /// Returns a non-blocking, close-on-exec socket the caller owns.
    // getaddrinfo itself cannot be interrupted; it runs on the client's worker queue, never on the
    // cooperative pool, and the resolver's own timeouts (resolv.conf) bound it.
    /// `localhost` and names under it (RFC 6761): always the loopback interface.
    static func isLocalhost(_ host: String) -> Bool {
        let name = host.lowercased()
        return name == "localhost" || name.hasSuffix(".localhost")
    }

    static func connect(
        host: String, port: Int, deadline: ContinuousClock.Instant, cancellation: HTTPClientCancellation
    ) throws(HTTPClientError) -> Int32 {
        var hints = addrinfo()
        // Names resolve only to families this host has addresses for (no IPv6 tries on an IPv4-only
        // host). Not for IP literals nor `localhost`: glibc ignores loopback when deciding, so 127.0.0.1
        // could fail on a host whose only other address is IPv6 (a local stand-in, a sidecar).
        hints.ai_flags = isIPLiteral(host) ? AI_NUMERICHOST : isLocalhost(host) ? 0 : AI_ADDRCONFIG
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

        var addresses: [UnsafeMutablePointer<addrinfo>] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        // Bounded: at most `maxAddresses` are tried.
        while let current = entry, addresses.count < maxAddresses {
            addresses.append(current)
            entry = current.pointee.ai_next
        }
        var lastError = HTTPClientError(.connectFailed, "no usable address")
        for (index, address) in addresses.enumerated() {
            let now = ContinuousClock.now
            if now >= deadline, index > 0 { break }
            let attemptDeadline = attemptDeadline(now: now, deadline: deadline, addressesLeft: addresses.count - index)
            do {
                return try attempt(address.pointee, deadline: attemptDeadline, cancellation: cancellation)
            } catch {
                if error.code == .cancelled { throw error }
                // A timed-out address (a blackholed IPv6 route, say) leaves the rest of the time to the others.
                lastError = error
            }
        }
        throw lastError
    }

    /// Addresses tried per connect at most.
    static let maxAddresses = 16
    /// The least time an address gets while time is left, so a long list does not starve each attempt.
    static let minimumAttemptTime: Duration = .seconds(1)

    /// When one connect attempt must give up: an equal share of the time left among the `addressesLeft`
    /// addresses still to try (this one included), at least `minimumAttemptTime`, never past `deadline`.
    static func attemptDeadline(now: ContinuousClock.Instant, deadline: ContinuousClock.Instant, addressesLeft: Int) -> ContinuousClock.Instant {
        let remaining = now.duration(to: deadline)
        guard remaining > .zero, addressesLeft > 1 else { return deadline }
        let share = max(remaining / addressesLeft, minimumAttemptTime)
        return min(now + share, deadline)
    }

    /// Whether `host` is a numeric IPv4 or IPv6 address (URL brackets already removed).
    private static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
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
