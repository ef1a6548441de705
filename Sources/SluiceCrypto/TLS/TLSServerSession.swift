import COpenSSL

#if canImport(Glibc)
import Glibc
#endif

/// The server side of one TLS connection for an event loop: never blocks, never waits. Each call
/// does what the socket allows now and says what it needs next; the loop retries on the matching
/// readiness. The handshake runs inside the first reads. The loop owns (and closes) the descriptor.
public final class TLSServerSession {
    /// What one read or write did.
    public enum Outcome {
        /// Bytes moved: decrypted into the buffer, or taken from it to send (more than 0).
        case done(Int)
        /// Retry once the socket is readable.
        case wantRead
        /// Retry once the socket is writable.
        case wantWrite
        /// The peer ended the connection (close_notify, or TCP close).
        case closed
        /// A TLS protocol failure (bad handshake, plain HTTP on this port, ...): close the connection.
        case failed(CryptoError)
    }

    private let ssl: OpaquePointer
    private let fd: Int32
    /// The handshake failed because the client spoke plain HTTP to this port: the loop may answer that in
    /// plain text before closing.
    public private(set) var receivedPlainHTTP = false
    /// The connection's first byte, peeked while the handshake runs. OpenSSL recognises only `GET `,
    /// `POST`, `HEAD` and `PUT ` as HTTP; a TLS record starts 0x16 (SSLv2 hellos with the high bit set), so
    /// a first byte that is an upper-case ASCII letter is a request line of any method (`DELETE`, `PATCH`).
    private var firstByte: UInt8?

    /// Starts a server session on an accepted, non-blocking socket.
    public init(socket fd: Int32, context: TLSServerContext) throws(CryptoError) {
        let ssl = try OpenSSLError.check(SSL_new(context.context), .tlsConfiguration, "SSL_new failed")
        guard SSL_set_fd(ssl, fd) == 1 else {
            SSL_free(ssl)
            throw OpenSSLError.make(.tlsConfiguration, "SSL_set_fd failed")
        }
        SSL_set_accept_state(ssl)
        self.ssl = ssl
        self.fd = fd
    }

    // Frees only memory: the socket BIO does not close the descriptor (SSL_set_fd uses BIO_NOCLOSE).
    deinit { SSL_free(ssl) }

    /// Whether the handshake completed.
    public var isEstablished: Bool { SSL_is_init_finished(ssl) == 1 }

    /// Decrypts into `buffer` (runs the handshake first while it is pending).
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Outcome {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .done(0) }
        if firstByte == nil, !isEstablished {
            var byte: UInt8 = 0
            let peeked = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
            if peeked == 1 {
                firstByte = byte
            } else if peeked < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                // Nothing yet: OpenSSL must not read before the peek, or the byte it sees next is not the first.
                return .wantRead
            }
        }
        return perform("read") { SSL_read_ex(ssl, base, buffer.count, &$0) }
    }

    /// Encrypts and sends from `bytes`. After `.wantRead`/`.wantWrite`, retry with the same bytes
    /// (at least as many; the buffer may move).
    public func write(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .done(0) }
        return perform("write") { SSL_write_ex(ssl, base, bytes.count, &$0) }
    }

    /// Sends close_notify if the socket takes it now; never waits for the peer's (the loop then
    /// half-closes TCP as for plain connections).
    public func sendCloseNotify() {
        guard isEstablished else { return }
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// Runs one `SSL_*_ex` call on a clean error queue (SSL_get_error reads it) and classifies the result.
    private func perform(_ operation: String, _ call: (inout Int) -> Int32) -> Outcome {
        ERR_clear_error()
        var count = 0
        let result = call(&count)
        return result == 1 ? .done(count) : outcome(of: result, operation: operation)
    }

    private func outcome(of result: Int32, operation: String) -> Outcome {
        let error = SSL_get_error(ssl, result)
        switch error {
        case SSL_ERROR_WANT_READ:
            return .wantRead
        case SSL_ERROR_WANT_WRITE:
            return .wantWrite
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        case SSL_ERROR_SYSCALL:
            // A reset or a close mid-record: the peer is gone either way.
            ERR_clear_error()
            return .closed
        case SSL_ERROR_SSL where COpenSSL_ERR_peek_is_unexpected_eof() == 1:
            // TCP FIN without close_notify: a close like any other for HTTP/1.1 framing.
            ERR_clear_error()
            return .closed
        default:
            if !isEstablished, ERR_GET_REASON(ERR_peek_error()) == SSL_R_HTTP_REQUEST || firstByte.map({ (0x41...0x5A).contains($0) }) == true {
                receivedPlainHTTP = true
            }
            let phase = isEstablished ? "TLS \(operation) failed" : "TLS handshake failed"
            return .failed(OpenSSLError.make(isEstablished ? .io : .tlsHandshakeFailed, phase))
        }
    }
}
