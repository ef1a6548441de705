import Glibc
import SluiceCrypto

/// HTTPS on the loop: the same exchange logic as plain HTTP, with reads and writes through the
/// connection's non-blocking `TLSServerSession` in place of `recv` and `sendmsg`.
extension ServerEventLoop {
    /// Decrypts into the input buffer. Returns the byte count (0: the peer closed), or nil when
    /// there is nothing to read now or the connection was closed.
    func tlsRead(_ c: ServerConnection, _ tls: TLSServerSession, room: Int) -> Int? {
        switch tls.read(into: UnsafeMutableRawBufferPointer(start: c.input.writePointer, count: room)) {
        case .done(let count):
            return count
        case .wantRead:
            c.readable = false
            return nil
        case .wantWrite:
            c.readable = false
            c.tlsReadWaitsForWritable = true
            return nil
        case .closed:
            return 0
        case .failed(let error):
            tlsFailed(c, tls, error)
            return nil
        }
    }

    /// Encrypts and sends from the output queue; returns what `send` would (bytes, or -1 with errno).
    func tlsWrite(_ c: ServerConnection, _ tls: TLSServerSession) -> Int {
        let first = c.output[c.outputIndex]
        let outcome: TLSServerSession.Outcome
        if c.outputIndex + 1 < c.output.count,
           case let second = c.output[c.outputIndex + 1],
           first.bytes.count - first.offset + second.bytes.count - second.offset <= Self.tlsRecordBytes {
            // Head and body in one record (one write): a retry after `wantWrite` joins the same bytes
            // again, which SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER allows.
            var joined = [UInt8]()
            joined.reserveCapacity(first.bytes.count - first.offset + second.bytes.count - second.offset)
            joined.append(contentsOf: first.bytes[first.offset...])
            joined.append(contentsOf: second.bytes[second.offset...])
            outcome = joined.withUnsafeBytes { tls.write($0) }
        } else {
            outcome = first.bytes.withUnsafeBytes { tls.write(UnsafeRawBufferPointer(rebasing: $0[first.offset...])) }
        }
        switch outcome {
        case .done(let count):
            return count
        case .wantWrite, .wantRead:
            // A write that wants to read (a TLS 1.3 key update) is retried on the next readable event.
            errno = EAGAIN
            return -1
        case .closed:
            errno = EPIPE
            return -1
        case .failed(let error):
            core.logTLSFailure(error, remote: c.remoteAddress, handshake: false)
            errno = EPIPE
            return -1
        }
    }

    /// A protocol failure: logged, and the connection closed. Plain HTTP sent to this port gets a plain
    /// 400 first, so a misconfigured client sees why, and a lingering close, so the rest of its unread
    /// request does not turn the FIN into a reset that could destroy that answer.
    private func tlsFailed(_ c: ServerConnection, _ tls: TLSServerSession, _ error: CryptoError) {
        core.logTLSFailure(error, remote: c.remoteAddress, handshake: !tls.isEstablished)
        guard tls.receivedPlainHTTP else {
            closeConnection(c)
            return
        }
        let bytes = core.plainHTTPOnTLSResponse
        _ = bytes.withUnsafeBytes { send(c.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        startLingering(c)
    }

    /// Plaintext bytes per TLS record at most (RFC 8446 §5.1).
    static let tlsRecordBytes = 16 * 1024
}
