/// Splits a byte stream into lines (LF or CRLF) incrementally; lines longer than `maxLineBytes`
/// are reported, not stored, so memory stays bounded. A record separator (RS) starting a line is dropped
/// (RFC 7464 JSON text sequences).
public struct JSONLineReader: Sendable {
    /// One non-blank line, or why it is unusable; `line` is 1-based.
    public enum Line: Sendable, Equatable {
        case text(line: Int, [UInt8])
        case tooLong(line: Int)
    }

    /// RFC 7464's record separator.
    static let recordSeparator: UInt8 = 0x1E

    public let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var overflow = false
    private var line = 1
    private var byteOrderMark = ByteOrderMarkFilter()

    public init(maxLineBytes: Int = 64 * 1024) {
        self.maxLineBytes = maxLineBytes
    }

    /// Consumes `bytes`, calling `emit` for each line they complete; a byte order mark at the start of
    /// the stream is skipped.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (Line) -> Void) {
        var filter = byteOrderMark
        filter.filter(bytes) { feedLines($0, emit) }
        byteOrderMark = filter
    }

    private mutating func feedLines(_ bytes: UnsafeRawBufferPointer, _ emit: (Line) -> Void) {
        var start = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                take(UnsafeRawBufferPointer(rebasing: bytes[start...]))
                return
            }
            take(UnsafeRawBufferPointer(rebasing: bytes[start..<newline]))
            endLine(emit)
            start = newline + 1
        }
    }

    /// Convenience over `feed(_:_:)` for arrays.
    public mutating func feed(_ bytes: [UInt8], _ emit: (Line) -> Void) {
        bytes.withUnsafeBytes { feed($0, emit) }
    }

    /// Ends the input, emitting a last line that lacks its line break.
    public mutating func finish(_ emit: (Line) -> Void) {
        var filter = byteOrderMark
        filter.finish { feedLines($0, emit) }
        byteOrderMark = filter
        if !buffer.isEmpty || overflow { endLine(emit) }
    }

    private mutating func take(_ bytes: UnsafeRawBufferPointer) {
        guard !overflow else { return }
        if buffer.count + bytes.count > maxLineBytes {
            overflow = true
            buffer.removeAll()
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    private mutating func endLine(_ emit: (Line) -> Void) {
        if overflow {
            emit(.tooLong(line: line))
        } else {
            if buffer.last == UInt8(ascii: "\r") { buffer.removeLast() }
            // RFC 7464 (application/json-seq) starts each record with RS (0x1E), which no JSON text starts
            // with: dropped, so a JSON text sequence reads as JSON lines.
            let start = buffer.prefix { $0 == Self.recordSeparator }.count
            let blank = buffer[start...].allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
            if !blank { emit(.text(line: line, start == 0 ? buffer : Array(buffer[start...]))) }
        }
        buffer.removeAll(keepingCapacity: true)
        overflow = false
        line += 1
    }
}
