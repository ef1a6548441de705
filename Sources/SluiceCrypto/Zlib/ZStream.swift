import CZlib

/// Owns one `z_stream` at a stable address (zlib keeps a back-pointer to it) and ends it in deinit.
final class ZStream {
    enum Mode { case deflate, inflate }

    let stream: UnsafeMutablePointer<z_stream>
    private let mode: Mode

    /// `windowBits` follows zlib: 15 = zlib wrapper, 31 = gzip wrapper, 47 = inflate either.
    /// `memoryLevel` 1-9 sizes the deflate state (zlib default 8, about 256 KiB with a 32 KiB window).
    init(mode: Mode, windowBits: Int32, level: Int32 = Z_DEFAULT_COMPRESSION, memoryLevel: Int32 = 8) throws(CryptoError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        self.mode = mode
        let status = switch mode {
        case .deflate: CZlib_deflateInit2(stream, level, windowBits, memoryLevel)
        case .inflate: CZlib_inflateInit2(stream, windowBits)
        }
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw CryptoError(mode == .deflate ? .compressionFailed : .decompressionFailed, "zlib init failed (\(status))")
        }
    }

    deinit {
        switch mode {
        case .deflate: deflateEnd(stream)
        case .inflate: inflateEnd(stream)
        }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Deflates `input` with `flush`, returning all output produced.
    func deflate(_ input: UnsafeRawBufferPointer, flush: Int32) throws(CryptoError) -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        defer { stream.pointee.next_in = nil; stream.pointee.avail_in = 0 }
        while true {
            let (status, produced) = chunk.withUnsafeMutableBufferPointer { buffer in
                stream.pointee.next_out = buffer.baseAddress
                stream.pointee.avail_out = uInt(buffer.count)
                let status = CZlib.deflate(stream, flush)
                return (status, buffer.count - Int(stream.pointee.avail_out))
            }
            output.append(contentsOf: chunk.prefix(produced))
            if status == Z_STREAM_END { return output }
            // Z_BUF_ERROR just means "no progress possible": all input consumed and output flushed.
            guard status == Z_OK || status == Z_BUF_ERROR else {
                throw CryptoError(.compressionFailed, "deflate failed (\(status))")
            }
            if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 && flush != Z_FINISH { return output }
            if status == Z_BUF_ERROR && produced == 0 { throw CryptoError(.compressionFailed, "deflate made no progress") }
        }
    }
}
