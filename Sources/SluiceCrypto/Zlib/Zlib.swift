import CZlib

/// One-shot zlib compression with bounded decompression.
public enum Zlib {
    /// The container around the deflate data.
    public enum Format: Sendable {
        /// RFC 1950 zlib wrapper.
        case zlib
        /// RFC 1952 gzip wrapper.
        case gzip

        var windowBits: Int32 {
            switch self {
            case .zlib: 15
            case .gzip: 31
            }
        }
    }

    /// Compresses `data` into the zlib format (or gzip).
    /// `compact` uses a 4 KiB window and a small hash (about 20 KiB of state instead of 256 KiB):
    /// for many small messages the state's allocation and clearing cost more than the compression,
    /// at a small loss of ratio. Any inflater reads the result.
    public static func compress(_ data: some Collection<UInt8>, format: Format = .zlib, level: Int32 = 6, compact: Bool = false) throws(CryptoError) -> [UInt8] {
        let windowBits = compact ? format.windowBits - 3 : format.windowBits
        let stream = try ZStream(mode: .deflate, windowBits: windowBits, level: level, memoryLevel: compact ? 4 : 8)
        return try withBytes(data) { (raw) throws(CryptoError) -> [UInt8] in try stream.deflate(raw, flush: Z_FINISH) }
    }

    /// Decompresses one complete stream, refusing to produce more than `maxOutput` bytes (zip-bomb guard).
    /// - Throws: `.outputTooLarge` past the bound; `.decompressionFailed` for corrupt, truncated or trailing data.
    public static func decompress(_ data: some Collection<UInt8>, maxOutput: Int, format: Format = .zlib) throws(CryptoError) -> [UInt8] {
        precondition(maxOutput >= 0, "maxOutput must not be negative")
        let stream = try ZStream(mode: .inflate, windowBits: format.windowBits)
        return try withBytes(data) { (raw) throws(CryptoError) -> [UInt8] in
            guard raw.count <= Int(UInt32.max) else { throw CryptoError(.invalidInput, "input too large for one inflate call") }
            let z = stream.stream
            z.pointee.next_in = UnsafeMutablePointer(mutating: raw.baseAddress?.assumingMemoryBound(to: Bytef.self))
            z.pointee.avail_in = uInt(raw.count)
            defer { z.pointee.next_in = nil }
            var output: [UInt8] = []
            // One spare byte beyond the bound lets us tell "exactly maxOutput" from "more".
            var chunk = [UInt8](repeating: 0, count: min(64 * 1024, maxOutput + 1))
            while true {
                let room = min(chunk.count, maxOutput + 1 - output.count)
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { buffer in
                    z.pointee.next_out = buffer.baseAddress
                    z.pointee.avail_out = uInt(room)
                    let status = inflate(z, Z_NO_FLUSH)
                    return (status, room - Int(z.pointee.avail_out))
                }
                output.append(contentsOf: chunk.prefix(produced))
                if output.count > maxOutput {
                    throw CryptoError(.outputTooLarge, "decompressed data exceeds \(maxOutput) bytes")
                }
                switch status {
                case Z_STREAM_END:
                    guard z.pointee.avail_in == 0 else { throw CryptoError(.decompressionFailed, "trailing data after compressed stream") }
                    return output
                case Z_OK:
                    continue
                case Z_BUF_ERROR where produced == 0 && z.pointee.avail_in == 0:
                    throw CryptoError(.decompressionFailed, "compressed stream is truncated")
                case Z_BUF_ERROR:
                    continue
                default:
                    throw CryptoError(.decompressionFailed, "inflate failed (\(status))")
                }
            }
        }
    }
}
