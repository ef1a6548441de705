/// Drops a UTF-8 byte order mark (EF BB BF) at the very start of a byte stream, also when chunks split it.
/// Spreadsheet exports often begin with one; kept, it would become part of the first address or header.
struct ByteOrderMarkFilter: Sendable {
    private static let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
    /// The bytes of a possible mark held back so far; nil once the start of the stream is decided.
    private var held: [UInt8]? = []

    /// Calls `pass` with the bytes of `bytes` that follow any mark (first the held ones, when the stream
    /// turns out not to start with a mark).
    mutating func filter(_ bytes: UnsafeRawBufferPointer, _ pass: (UnsafeRawBufferPointer) -> Void) {
        guard var pending = held else { return pass(bytes) }
        var index = 0
        while pending.count < Self.mark.count, index < bytes.count {
            guard bytes[index] == Self.mark[pending.count] else {
                held = nil
                if !pending.isEmpty { pending.withUnsafeBytes(pass) }
                return pass(UnsafeRawBufferPointer(rebasing: bytes[index...]))
            }
            pending.append(bytes[index])
            index += 1
        }
        guard pending.count == Self.mark.count else {
            held = pending
            return
        }
        held = nil
        if index < bytes.count { pass(UnsafeRawBufferPointer(rebasing: bytes[index...])) }
    }

    /// Ends the stream: passes on the start of a mark that never completed (the stream was shorter).
    mutating func finish(_ pass: (UnsafeRawBufferPointer) -> Void) {
        if let pending = held, !pending.isEmpty { pending.withUnsafeBytes(pass) }
        held = nil
    }
}
