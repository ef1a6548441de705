import SluiceCore

/// A small JSON writer for the send API's hot answers: JSONSerialization sorts keys with locale-aware
/// comparison and bridges through NSDictionary, which cost more than the rest of an accept together.
struct JSONText {
    private(set) var bytes: [UInt8] = []
    /// Bit `d`: the open container at depth `d` needs a comma before its next value.
    private var commas: UInt64 = 0
    private var depth = 0

    init() { bytes.reserveCapacity(512) }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Starts a member of the current object. Names are literals of plain ASCII (no escaping needed).
    mutating func key(_ name: StaticString) {
        separate()
        precondition(name.hasPointerRepresentation && name.isASCII, "JSONText keys are ASCII literals")
        let utf8 = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        assert(!utf8.contains { $0 == 34 || $0 == 92 || $0 < 32 }, "JSONText keys need no escaping")
        bytes.append(34)
        bytes.append(contentsOf: utf8)
        bytes.append(34)
        bytes.append(UInt8(ascii: ":"))
        // The value that follows must not get a comma of its own.
        commas &= ~Self.bit(depth)
    }

    mutating func string(_ value: String) {
        separate()
        appendString(value)
    }

    mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    mutating func int(_ value: Int) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Already-encoded JSON (trusted: produced by this process).
    mutating func raw(_ json: String) {
        separate()
        bytes.append(contentsOf: json.utf8)
    }

    mutating func strings(_ values: [String]) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    private mutating func open(_ byte: UInt8) {
        separate()
        bytes.append(byte)
        // The bodies written here nest a handful of levels.
        precondition(depth < 64, "JSONText nests at most 64 levels")
        depth += 1
        commas &= ~Self.bit(depth)
    }

    private mutating func close(_ byte: UInt8) {
        precondition(depth > 0, "JSONText: close without open")
        depth -= 1
        bytes.append(byte)
        if depth > 0 { commas |= Self.bit(depth) }
    }

    private mutating func separate() {
        guard depth > 0 else { return }
        if commas & Self.bit(depth) != 0 { bytes.append(UInt8(ascii: ",")) }
        commas |= Self.bit(depth)
    }

    private static func bit(_ depth: Int) -> UInt64 { 1 << UInt64(depth - 1) }

    /// RFC 8259 §7 escaping; `<`, `>`, `&` escaped too so browsers never sniff HTML.
    private mutating func appendString(_ string: String) {
        JSONBytes.string(string, into: &bytes, escapingHTML: true)
    }
}
