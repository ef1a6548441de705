import CZlib

/// Streaming gzip (RFC 1952) encoder for responses produced piece by piece, e.g. CSV exports.
public final class GzipStream {
    private let stream: ZStream
    private var finished = false

    /// - Parameter level: zlib level 0...9 (default 6).
    public init(level: Int32 = 6) throws(CryptoError) {
        stream = try ZStream(mode: .deflate, windowBits: 31, level: level)
    }

    /// Compresses `data`, returning whatever compressed bytes are ready (often none).
    public func append(_ data: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        guard !finished else { throw CryptoError(.invalidInput, "GzipStream.append after finish") }
        if data.isEmpty { return [] }
        return try withBytes(data) { (raw) throws(CryptoError) -> [UInt8] in try stream.deflate(raw, flush: Z_NO_FLUSH) }
    }

    /// Flushes pending data so a reader can decode everything appended so far (costs a few bytes).
    public func flush() throws(CryptoError) -> [UInt8] {
        guard !finished else { throw CryptoError(.invalidInput, "GzipStream.flush after finish") }
        return try stream.deflate(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_SYNC_FLUSH)
    }

    /// Ends the stream, returning the remaining bytes and the gzip trailer.
    public func finish() throws(CryptoError) -> [UInt8] {
        guard !finished else { throw CryptoError(.invalidInput, "GzipStream.finish called twice") }
        finished = true
        return try stream.deflate(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
    }
}
