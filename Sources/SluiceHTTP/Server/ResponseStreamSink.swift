import Synchronization

/// Carries a streamed response's chunks to the event loop and makes the producer wait while
/// more than `highWater` bytes are unsent.
final class ResponseStreamSink: Sendable {
    private struct State {
        var pending = 0
        var closed = false
        var waiter: CheckedContinuation<Void, any Error>?
    }

    private let state = Mutex(State())
    private let highWater: Int
    private let loop: ServerEventLoop
    private let fd: Int32
    private let id: UInt64
    let chunked: Bool

    init(loop: ServerEventLoop, fd: Int32, id: UInt64, highWater: Int, chunked: Bool) {
        self.loop = loop
        self.fd = fd
        self.id = id
        self.highWater = highWater
        self.chunked = chunked
    }

    func write(_ bytes: [UInt8]) async throws {
        let framed = chunked ? Self.frame(bytes) : bytes
        let mustWait: Bool = try state.withLock { s in
            if s.closed { throw HTTPServerError(.connectionClosed, "Client connection closed") }
            s.pending += framed.count
            return s.pending > highWater
        }
        loop.post(.streamChunk(fd: fd, id: id, bytes: framed))
        guard mustWait else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let resumeNow: Result<Void, HTTPServerError>? = state.withLock { s in
                if s.closed { return .failure(HTTPServerError(.connectionClosed, "Client connection closed")) }
                if s.pending <= highWater / 2 { return .success(()) }
                s.waiter = continuation
                return nil
            }
            if let resumeNow { continuation.resume(with: resumeNow) }
        }
    }

    /// Called by the loop once `count` bytes of this stream reached the socket.
    func didSend(_ count: Int) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            s.pending -= count
            guard s.pending <= highWater / 2, let w = s.waiter else { return nil }
            s.waiter = nil
            return w
        }
        waiter?.resume()
    }

    /// Called by the loop when the connection is gone; wakes and fails the producer.
    func close() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            s.closed = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(throwing: HTTPServerError(.connectionClosed, "Client connection closed"))
    }

    /// `size-in-hex CRLF data CRLF`.
    static func frame(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 20)
        out.append(contentsOf: String(bytes.count, radix: 16).utf8)
        out.append(13); out.append(10)
        out.append(contentsOf: bytes)
        out.append(13); out.append(10)
        return out
    }
}
