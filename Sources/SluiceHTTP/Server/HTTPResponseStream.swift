import Synchronization

/// A streamed response body: a producer that writes chunks; each write waits while the
/// connection's unsent bytes exceed a bound, so a large export never sits in memory.
public struct HTTPResponseStream: Sendable {
    public let produce: @Sendable (HTTPResponseBodyWriter) async throws -> Void

    public init(_ produce: @escaping @Sendable (HTTPResponseBodyWriter) async throws -> Void) {
        self.produce = produce
    }

    /// Runs the producer into one in-memory buffer.
    public func collect() async throws -> [UInt8] {
        let buffer = Mutex<[UInt8]>([])
        try await produce(HTTPResponseBodyWriter { bytes in buffer.withLock { $0.append(contentsOf: bytes) } })
        return buffer.withLock { $0 }
    }
}

/// The sink a streaming producer writes to.
public struct HTTPResponseBodyWriter: Sendable {
    private let sink: @Sendable ([UInt8]) async throws -> Void

    public init(_ sink: @escaping @Sendable ([UInt8]) async throws -> Void) { self.sink = sink }

    /// Sends `bytes` as one chunk, waiting while the client is slower than the producer.
    /// - Throws: `HTTPServerError` with code `.connectionClosed` once the client has gone.
    public func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await sink(bytes)
    }

    public func write(_ string: String) async throws { try await write(Array(string.utf8)) }
}
