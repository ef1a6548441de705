import Glibc
import SluiceCrypto

/// One TCP (optionally TLS) connection with a read buffer. Closes its socket in deinit.
// Invariant for @unchecked Sendable: a connection is used by exactly one request at a time; the pool
// hands it out exclusively and takes it back only after that request is done with it.
final class HTTPClientConnection: @unchecked Sendable {
    let key: String
    private let fd: Int32
    private let tls: TLSConnection?
    private var buffer: [UInt8] = []
    private var start = 0
    /// Whether any byte arrived since `beginExchange()`; a reused connection that dies before that was stale.
    private(set) var receivedBytesThisExchange = false
    /// When the connection last finished an exchange (for the idle timeout).
    var lastUsed = ContinuousClock.now
    /// The current request's cancellation flag (replaced when a pooled connection is reused).
    var cancellation: HTTPClientCancellation

    private init(key: String, fd: Int32, tls: TLSConnection?, cancellation: HTTPClientCancellation) {
        self.key = key
        self.fd = fd
        self.tls = tls
        self.cancellation = cancellation
    }

    deinit {
        // close_notify is a courtesy; never wait for it.
        tls?.shutdown(deadline: .now)
        close(fd)
    }

    /// Connects (and handshakes for https) within `deadline`.
    static func open(
        url: HTTPClientURL, key: String, tlsContext: TLSClientContext?, deadline: ContinuousClock.Instant,
        cancellation: HTTPClientCancellation
    ) throws(HTTPClientError) -> HTTPClientConnection {
        let fd = try HTTPClientSocket.connect(host: url.host, port: url.port, deadline: deadline, cancellation: cancellation)
        guard url.scheme == .https else { return HTTPClientConnection(key: key, fd: fd, tls: nil, cancellation: cancellation) }
        guard let tlsContext else {
            close(fd)
            throw HTTPClientError(.tlsConfiguration, "no TLS context")
        }
        do {
            let tls = try TLSConnection.connect(socket: fd, context: tlsContext, serverName: url.host, deadline: deadline)
            return HTTPClientConnection(key: key, fd: fd, tls: tls, cancellation: cancellation)
        } catch {
            close(fd)
            throw HTTPClientError(Self.code(for: error.code), "TLS handshake with \(url.host) failed: \(error.message)", underlying: error)
        }
    }

    func beginExchange() { receivedBytesThisExchange = false }

    /// True if the connection can carry another request: no stray bytes and no EOF/reset pending.
    var isReusable: Bool {
        start == buffer.count && (tls?.bufferedByteCount ?? 0) == 0 && HTTPClientPoll.isQuiet(fd)
    }

    // MARK: Writing

    func write(_ bytes: [UInt8], deadline: () -> ContinuousClock.Instant) throws(HTTPClientError) {
        if let tls {
            do {
                try tls.write(bytes, deadline: deadline())
            } catch {
                throw HTTPClientError(Self.code(for: error.code), "sending the request failed: \(error.message)", underlying: error)
            }
            return
        }
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                offset += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                try HTTPClientPoll.wait(fd, writable: true, until: deadline(), cancellation: cancellation)
            } else if sent < 0 && (errno == EPIPE || errno == ECONNRESET) {
                throw HTTPClientError(.connectionClosed, "server closed the connection while sending")
            } else {
                throw HTTPClientError(.io, "send failed (errno \(errno))")
            }
        }
    }

    // MARK: Reading

    /// Whether an end of stream that `fill` reported can end a close-delimited body: always over TCP;
    /// over TLS only after the peer's close_notify, since a bare FIN or RST may cut the body short
    /// (RFC 8446 §6.1, a truncation attack) and must not pass for its end.
    var endOfStreamIsClean: Bool { tls?.peerSentCloseNotify ?? true }

    /// Bytes buffered but not yet consumed.
    var bufferedCount: Int { buffer.count - start }

    /// Reads more bytes into the buffer; false on end of stream.
    func fill(deadline: () -> ContinuousClock.Instant) throws(HTTPClientError) -> Bool {
        if start > 0 && (start >= 64 * 1024 || start == buffer.count) {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = try readChunk(into: &chunk, deadline: deadline())
        guard count > 0 else { return false }
        receivedBytesThisExchange = true
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    private func readChunk(into chunk: inout [UInt8], deadline: ContinuousClock.Instant) throws(HTTPClientError) -> Int {
        if let tls {
            // Read in poll slices so cancellation is noticed; a timed-out SSL_read can simply be retried.
            while true {
                let slice = min(deadline, .now + HTTPClientPoll.slice)
                let outcome = chunk.withUnsafeMutableBytes { raw in
                    Result { () throws(CryptoError) -> Int in try tls.read(into: raw, deadline: slice) }
                }
                switch outcome {
                case .success(let count): return count
                case .failure(let error) where error.code == .timeout:
                    if cancellation.isCancelled { throw HTTPClientError(.cancelled, "request cancelled") }
                    if ContinuousClock.now >= deadline { throw HTTPClientError(.timeout, "timed out waiting for the server") }
                case .failure(let error):
                    throw HTTPClientError(Self.code(for: error.code), "reading the response failed: \(error.message)", underlying: error)
                }
            }
        }
        while true {
            let count = chunk.withUnsafeMutableBytes { raw in recv(fd, raw.baseAddress, raw.count, 0) }
            if count >= 0 { return count }
            switch errno {
            case EAGAIN, EWOULDBLOCK, EINTR: try HTTPClientPoll.wait(fd, writable: false, until: deadline, cancellation: cancellation)
            case ECONNRESET: throw HTTPClientError(.connectionClosed, "server reset the connection")
            default: throw HTTPClientError(.io, "recv failed (errno \(errno))")
            }
        }
    }

    /// Index (absolute) of the first `byte` in the unread buffer at or after `from`, if any.
    func firstIndex(of byte: UInt8, from: Int = 0) -> Int? {
        buffer[(start + from)...].firstIndex(of: byte).map { $0 - start }
    }

    /// The unread byte at `offset`.
    func peek(_ offset: Int) -> UInt8 { buffer[start + offset] }

    /// Removes and returns the next `count` buffered bytes.
    func consume(_ count: Int) -> ArraySlice<UInt8> {
        precondition(count <= bufferedCount)
        defer { start += count }
        return buffer[start..<(start + count)]
    }

    static func code(for crypto: CryptoError.Code) -> HTTPClientError.Code {
        switch crypto {
        case .timeout: .timeout
        case .certificateUntrusted: .certificateUntrusted
        case .certificateExpired: .certificateExpired
        case .hostnameMismatch: .hostnameMismatch
        case .tlsConfiguration: .tlsConfiguration
        case .connectionClosed: .connectionClosed
        case .io: .io
        case .cancelled: .cancelled
        default: .tlsHandshakeFailed
        }
    }
}
