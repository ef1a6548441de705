import CZlib
import Synchronization

/// Compresses many small, independent inputs (one zlib stream each) on reused deflate states.
///
/// `Zlib.compress` pays for `deflateInit2`/`deflateEnd` (allocating and clearing the state) and a
/// 16 KiB scratch buffer on every call; for a 2 KB message that costs more than the compression.
/// Here each call borrows an idle state, `deflateReset`s it, and deflates in one step into an
/// exactly `deflateBound`-sized array. The output is byte-identical to `Zlib.compress` with the
/// same parameters.
public final class DeflatePool: Sendable {
    private let level: Int32
    private let compact: Bool
    private let maxIdle: Int
    // Idle states; a borrowed one is owned by exactly one caller until it is put back.
    private let idle = Mutex<[PooledDeflateStream]>([])

    /// - Parameters:
    ///   - level: zlib level 0...9.
    ///   - compact: as `Zlib.compress(compact:)`: a 4 KiB window and a small hash.
    ///   - maxIdle: states kept for reuse (about the number of threads compressing at once).
    public init(level: Int32 = 1, compact: Bool = true, maxIdle: Int = 8) {
        self.level = level
        self.compact = compact
        self.maxIdle = max(0, maxIdle)
    }

    /// One complete zlib stream of `data`.
    public func compress(_ data: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        let stream = try borrow()
        let output = try withBytes(data) { (raw) throws(CryptoError) -> [UInt8] in try stream.compress(raw) }
        giveBack(stream)
        return output
    }

    private func borrow() throws(CryptoError) -> PooledDeflateStream {
        if let stream = idle.withLock({ $0.popLast() }) { return stream }
        let windowBits = compact ? Zlib.Format.zlib.windowBits - 3 : Zlib.Format.zlib.windowBits
        return PooledDeflateStream(try ZStream(mode: .deflate, windowBits: windowBits, level: level, memoryLevel: compact ? 4 : 8))
    }

    private func giveBack(_ stream: PooledDeflateStream) {
        idle.withLock { streams in
            if streams.count < maxIdle { streams.append(stream) }
        }
    }
}

/// A deflate state that is used by one caller at a time (enforced by `DeflatePool`'s borrow/give-back).
private final class PooledDeflateStream: @unchecked Sendable {
    private let z: ZStream

    init(_ z: ZStream) { self.z = z }

    func compress(_ input: UnsafeRawBufferPointer) throws(CryptoError) -> [UInt8] {
        let s = z.stream
        guard input.count <= Int(UInt32.max / 2) else { throw CryptoError(.invalidInput, "input too large for one deflate call") }
        guard deflateReset(s) == Z_OK else { throw CryptoError(.compressionFailed, "deflateReset failed") }
        let bound = Int(deflateBound(s, uLong(input.count)))
        var status: Int32 = Z_OK
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            s.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            s.pointee.avail_in = uInt(input.count)
            s.pointee.next_out = buffer.baseAddress
            s.pointee.avail_out = uInt(buffer.count)
            status = deflate(s, Z_FINISH)
            count = buffer.count - Int(s.pointee.avail_out)
            s.pointee.next_in = nil
            s.pointee.avail_in = 0
            s.pointee.next_out = nil
            s.pointee.avail_out = 0
        }
        // deflateBound guarantees room for the whole stream, so one Z_FINISH call ends it.
        guard status == Z_STREAM_END else { throw CryptoError(.compressionFailed, "deflate did not finish (\(status))") }
        return output
    }
}
