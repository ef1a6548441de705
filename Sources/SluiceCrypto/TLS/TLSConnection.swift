import COpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TLS session over a connected socket. Puts the socket in non-blocking mode and waits with poll(2),
/// so every operation ends by its deadline. The caller keeps owning (and closes) the descriptor.
public final class TLSConnection {
    private let ssl: OpaquePointer
    /// The socket descriptor this session runs on.
    public let fileDescriptor: Int32
    /// True once the peer sent a TLS close_notify (a clean end, as opposed to a bare TCP close).
    public private(set) var peerSentCloseNotify = false

    private init(ssl: OpaquePointer, fileDescriptor: Int32) {
        self.ssl = ssl
        self.fileDescriptor = fileDescriptor
    }

    deinit { SSL_free(ssl) }

    /// Runs a client handshake, sending SNI and verifying the chain and `serverName` (DNS name or IP literal).
    /// - Throws: `.certificateUntrusted`, `.certificateExpired`, `.hostnameMismatch`, `.tlsHandshakeFailed`,
    ///   `.connectionClosed`, `.timeout`.
    public static func connect(
        socket fd: Int32, context: TLSClientContext, serverName: String, deadline: ContinuousClock.Instant
    ) throws(CryptoError) -> TLSConnection {
        guard !serverName.isEmpty, !serverName.utf8.contains(0) else { throw CryptoError(.invalidInput, "empty server name") }
        let connection = try make(fd: fd, context: context.context)
        let ssl = connection.ssl
        SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
        let bare = serverName.hasPrefix("[") && serverName.hasSuffix("]") ? String(serverName.dropFirst().dropLast()) : serverName
        if isIPLiteral(bare) {
            // RFC 6066 §3: no SNI for IP literals; match the certificate's IP SANs instead.
            try OpenSSLError.check(X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), bare), .invalidInput, "bad IP literal")
        } else {
            try OpenSSLError.check(Int32(COpenSSL_SSL_set_tlsext_host_name(ssl, bare)), .invalidInput, "cannot set SNI")
            try OpenSSLError.check(SSL_set1_host(ssl, bare), .invalidInput, "cannot set expected host name")
        }
        try connection.handshake(deadline: deadline) { SSL_connect($0) }
        return connection
    }

    /// Runs a server handshake on an accepted socket.
    public static func accept(
        socket fd: Int32, context: TLSServerContext, deadline: ContinuousClock.Instant
    ) throws(CryptoError) -> TLSConnection {
        let connection = try make(fd: fd, context: context.context)
        try connection.handshake(deadline: deadline) { SSL_accept($0) }
        return connection
    }

    /// Reads up to `maxBytes` bytes; an empty result means the peer closed the connection.
    public func read(maxBytes: Int, deadline: ContinuousClock.Instant) throws(CryptoError) -> [UInt8] {
        precondition(maxBytes > 0, "maxBytes must be positive")
        var buffer = [UInt8](repeating: 0, count: maxBytes)
        let outcome = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(CryptoError) -> Int in try read(into: raw, deadline: deadline) }
        }
        let count = try outcome.get()
        buffer.removeSubrange(count...)
        return buffer
    }

    /// Reads into `buffer`, returning the byte count; 0 means the peer closed the connection, with a
    /// close_notify or without one (a bare FIN or reset): check `peerSentCloseNotify` where the
    /// difference matters, as for a body delimited by the close.
    public func read(into buffer: UnsafeMutableRawBufferPointer, deadline: ContinuousClock.Instant) throws(CryptoError) -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            ERR_clear_error()
            var count = 0
            let result = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
            if result == 1 { return count }
            let error = SSL_get_error(ssl, result)
            switch error {
            case SSL_ERROR_WANT_READ: try SocketWait.wait(fileDescriptor, for: .read, until: deadline)
            case SSL_ERROR_WANT_WRITE: try SocketWait.wait(fileDescriptor, for: .write, until: deadline)
            case SSL_ERROR_ZERO_RETURN:
                peerSentCloseNotify = true
                return 0
            case SSL_ERROR_SYSCALL where errno == 0 || errno == ECONNRESET:
                ERR_clear_error()
                return 0
            case SSL_ERROR_SSL where COpenSSL_ERR_peek_is_unexpected_eof() == 1:
                // TCP FIN without close_notify; callers that care check `peerSentCloseNotify`.
                ERR_clear_error()
                return 0
            default:
                throw OpenSSLError.make(.io, "TLS read failed (SSL error \(error))")
            }
        }
    }

    /// Writes all of `bytes` or throws.
    public func write(_ bytes: some Collection<UInt8>, deadline: ContinuousClock.Instant) throws(CryptoError) {
        try withBytes(bytes) { (raw) throws(CryptoError) in
            var offset = 0
            while offset < raw.count {
                ERR_clear_error()
                var written = 0
                let result = SSL_write_ex(ssl, raw.baseAddress! + offset, raw.count - offset, &written)
                if result == 1 {
                    offset += written
                    continue
                }
                let error = SSL_get_error(ssl, result)
                switch error {
                case SSL_ERROR_WANT_READ: try SocketWait.wait(fileDescriptor, for: .read, until: deadline)
                case SSL_ERROR_WANT_WRITE: try SocketWait.wait(fileDescriptor, for: .write, until: deadline)
                case SSL_ERROR_ZERO_RETURN, SSL_ERROR_SYSCALL:
                    throw OpenSSLError.make(.connectionClosed, "peer closed the connection during a TLS write")
                default:
                    throw OpenSSLError.make(.io, "TLS write failed (SSL error \(error))")
                }
            }
        }
    }

    /// Sends close_notify (best effort, bounded by `deadline`); does not wait for the peer's.
    public func shutdown(deadline: ContinuousClock.Instant) {
        // Bounded: at most a few WANT_WRITE waits, each limited by the deadline.
        for _ in 0..<4 {
            ERR_clear_error()
            let result = SSL_shutdown(ssl)
            if result >= 0 { break }
            guard SSL_get_error(ssl, result) == SSL_ERROR_WANT_WRITE,
                  (try? SocketWait.wait(fileDescriptor, for: .write, until: deadline)) != nil else { break }
        }
        ERR_clear_error()
    }

    /// Decrypted bytes already buffered inside OpenSSL (poll(2) cannot see these).
    public var bufferedByteCount: Int { Int(SSL_pending(ssl)) }

    private static func make(fd: Int32, context: OpaquePointer) throws(CryptoError) -> TLSConnection {
        try SocketWait.makeNonBlocking(fd)
        let ssl = try OpenSSLError.check(SSL_new(context), .tlsConfiguration, "SSL_new failed")
        let connection = TLSConnection(ssl: ssl, fileDescriptor: fd)
        try OpenSSLError.check(SSL_set_fd(ssl, fd), .io, "SSL_set_fd failed")
        return connection
    }

    private func handshake(deadline: ContinuousClock.Instant, step: (OpaquePointer) -> Int32) throws(CryptoError) {
        while true {
            ERR_clear_error()
            let result = step(ssl)
            if result == 1 { return }
            let error = SSL_get_error(ssl, result)
            switch error {
            case SSL_ERROR_WANT_READ: try SocketWait.wait(fileDescriptor, for: .read, until: deadline)
            case SSL_ERROR_WANT_WRITE: try SocketWait.wait(fileDescriptor, for: .write, until: deadline)
            default: throw handshakeError(sslError: error)
            }
        }
    }

    private func handshakeError(sslError: Int32) -> CryptoError {
        let verify = Int32(SSL_get_verify_result(ssl))
        switch verify {
        case X509_V_OK:
            if sslError == SSL_ERROR_SYSCALL || sslError == SSL_ERROR_ZERO_RETURN {
                return OpenSSLError.make(.connectionClosed, "peer closed the connection during the TLS handshake")
            }
            return OpenSSLError.make(.tlsHandshakeFailed, "TLS handshake failed (SSL error \(sslError))")
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            return OpenSSLError.make(.hostnameMismatch, "certificate does not match the requested host")
        case X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_CERT_NOT_YET_VALID:
            return OpenSSLError.make(.certificateExpired, "certificate is expired or not yet valid")
        default:
            let reason = X509_verify_cert_error_string(Int(verify)).map { String(cString: $0) } ?? "unknown"
            return OpenSSLError.make(.certificateUntrusted, "certificate not trusted: \(reason) (\(verify))")
        }
    }

    static func isIPLiteral(_ host: String) -> Bool {
        if host.utf8.contains(UInt8(ascii: ":")) { return true }
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1
    }
}
