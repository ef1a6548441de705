import Synchronization

/// A request body delivered as byte chunks. The event loop pushes into a bounded buffer and stops
/// reading the socket while the buffer is full; consuming chunks lets it read again.
public final class HTTPRequestBodyStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    private struct State {
        var chunks: [[UInt8]] = []
        var head = 0
        var buffered = 0
        var finished = false
        var failure: HTTPServerError?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        var producerPaused = false
    }

    private let state = Mutex(State())
    private let highWater: Int
    // Called (outside the lock) when a paused producer may read again.
    private let onDemand: @Sendable () -> Void

    init(highWater: Int, onDemand: @escaping @Sendable () -> Void) {
        self.highWater = highWater
        self.onDemand = onDemand
    }

    /// A finished stream over `chunks`, for in-process tests.
    public convenience init(chunks: [[UInt8]]) {
        self.init(highWater: Int.max, onDemand: {})
        for chunk in chunks { _ = push(chunk) }
        finish()
    }

    /// Adds a chunk; returns false when the producer should pause until `onDemand`.
    func push(_ chunk: [UInt8]) -> Bool {
        let (waiter, keepGoing): (CheckedContinuation<[UInt8]?, any Error>?, Bool) = state.withLock { s in
            if let w = s.waiter {
                s.waiter = nil
                return (w, true)
            }
            s.chunks.append(chunk)
            s.buffered += chunk.count
            if s.buffered >= highWater { s.producerPaused = true }
            return (nil, !s.producerPaused)
        }
        waiter?.resume(returning: chunk)
        return keepGoing
    }

    func finish() {
        let waiter = state.withLock { s -> CheckedContinuation<[UInt8]?, any Error>? in
            s.finished = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }

    func fail(_ error: HTTPServerError) {
        let waiter = state.withLock { s -> CheckedContinuation<[UInt8]?, any Error>? in
            // The first failure is the real cause; later ones (connection teardown) only repeat it.
            if s.finished || s.failure != nil { return nil }
            s.failure = error
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(throwing: error)
    }

    private enum Poll {
        case chunk([UInt8]?, resume: Bool)
        case failure(HTTPServerError)
        case empty
    }

    /// Takes a buffered chunk, the end, or the failure; `.empty` when the consumer must wait.
    private func poll(_ s: inout State) -> Poll {
        if s.head < s.chunks.count {
            let chunk = s.chunks[s.head]
            s.head += 1
            s.buffered -= chunk.count
            if s.head == s.chunks.count {
                s.chunks.removeAll(keepingCapacity: true)
                s.head = 0
            }
            var resume = false
            if s.producerPaused && s.buffered <= highWater / 2 {
                s.producerPaused = false
                resume = true
            }
            return .chunk(chunk, resume: resume)
        }
        if let failure = s.failure { return .failure(failure) }
        if s.finished { return .chunk(nil, resume: false) }
        return .empty
    }

    /// The next chunk, nil at the end of the body.
    func next() async throws -> [UInt8]? {
        switch state.withLock({ poll(&$0) }) {
        case .chunk(let chunk, let resume):
            if resume { onDemand() }
            return chunk
        case .failure(let error):
            throw error
        case .empty:
            return try await withCheckedThrowingContinuation { continuation in
                // Re-check under the lock: a chunk may have arrived since the first poll.
                let outcome: Poll = state.withLock { s in
                    let p = poll(&s)
                    if case .empty = p { s.waiter = continuation }
                    return p
                }
                switch outcome {
                case .chunk(let chunk, let resume):
                    if resume { onDemand() }
                    continuation.resume(returning: chunk)
                case .failure(let error):
                    continuation.resume(throwing: error)
                case .empty:
                    break
                }
            }
        }
    }

    /// Reads the whole body into memory, failing with `.bodyTooLarge` past `limit` bytes.
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        var out: [UInt8] = []
        for try await chunk in self {
            if chunk.count > limit - out.count { throw HTTPServerError(.bodyTooLarge, "Request body too large") }
            out.append(contentsOf: chunk)
        }
        return out
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: HTTPRequestBodyStream
        public mutating func next() async throws -> [UInt8]? { try await stream.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}
