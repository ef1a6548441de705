/// A strict, bounded RFC 8259 reader, without Foundation: a JSON text checked in one scan and kept as
/// its bytes plus a flat index of its values; strings are decoded only when read, so picking a few
/// fields out of a large document costs one scan and those fields.
///
/// Strict: exactly one value with only whitespace around it (a leading UTF-8 BOM is skipped, as
/// Foundation does), valid UTF-8 everywhere, no raw control characters in strings, only the JSON
/// escapes, surrogate pairs joined and lone surrogates refused, numbers checked against the grammar,
/// duplicate keys in any object refused. Bounded: nesting depth is capped (`maxDepth`); the caller
/// caps the size (the HTTP body limit).
///
/// Values are named by `JSONDocument.Index`; an object's members are found by a linear scan over
/// its keys (cheaper than hashing for the small objects of SNS and SES documents).
public struct JSONDocument: Sendable {
    /// A value of this document (only meaningful with the document that produced it).
    public struct Index: Sendable, Hashable {
        let node: Int
    }

    /// The JSON type of a value.
    public enum Kind: Sendable, Equatable {
        case null, bool, number, string, array, object
    }

    /// Default nesting limit: far above any SNS, SES or API document, far below a stack risk.
    public static let defaultMaxDepth = 64

    let bytes: [UInt8]
    let nodes: [JSONNode]

    /// Checks and indexes one JSON text.
    /// - Parameter maxValues: most values (keys included) the text may hold, else `.tooManyElements`: the index
    ///   takes ~24 bytes per value, so a body limit alone lets a long array of tiny values cost many times it.
    public init(_ bytes: [UInt8], maxDepth: Int = JSONDocument.defaultMaxDepth, maxValues: Int = .max) throws(JSONReaderError) {
        precondition(maxDepth > 0, "maxDepth must be positive")
        let indexed = bytes.withUnsafeBufferPointer { (buffer) -> Result<[JSONNode], JSONReaderError> in
            var indexer = JSONIndexer(buffer, maxDepth: maxDepth, maxValues: maxValues)
            do throws(JSONReaderError) {
                try indexer.document()
                return .success(indexer.nodes)
            } catch {
                return .failure(error)
            }
        }
        self.bytes = bytes
        nodes = try indexed.get()
    }

    /// The top-level value.
    public var root: Index { Index(node: 0) }

    /// The top-level object.
    /// - Throws: `.syntax` when the top-level value is not an object.
    public func rootObject() throws(JSONReaderError) -> Index {
        guard nodes[0].kind == .object else { throw JSONReaderError(.syntax, "the top-level value is not an object") }
        return root
    }

    public func kind(_ value: Index) -> Kind {
        switch nodes[value.node].kind {
        case .null: .null
        case .true, .false: .bool
        case .number: .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }

    /// The boolean, or nil for any other kind.
    public func bool(_ value: Index) -> Bool? {
        switch nodes[value.node].kind {
        case .true: true
        case .false: false
        default: nil
        }
    }

    /// The decoded string, or nil for any other kind.
    public func string(_ value: Index) -> String? {
        let n = nodes[value.node]
        guard n.kind == .string else { return nil }
        return bytes.withUnsafeBufferPointer { Self.string(n, in: $0) }
    }

    /// The decoded string's UTF-8 bytes, or nil for any other kind.
    public func utf8(_ value: Index) -> [UInt8]? {
        let n = nodes[value.node]
        guard n.kind == .string else { return nil }
        return bytes.withUnsafeBufferPointer { buffer in
            if n.flags & JSONNode.escaped == 0 { return Array(UnsafeBufferPointer(rebasing: buffer[n.start..<n.end])) }
            var out: [UInt8] = []
            Self.unescape(n, in: buffer, into: &out)
            return out
        }
    }

    /// The number exactly as written, or nil for any other kind.
    public func number(_ value: Index) -> String? {
        let n = nodes[value.node]
        guard n.kind == .number else { return nil }
        return String(decoding: bytes[n.start..<n.end], as: UTF8.self)
    }

    /// Members of an object or elements of an array (0 for scalars).
    public func count(_ value: Index) -> Int {
        let n = nodes[value.node]
        return n.kind == .object || n.kind == .array ? n.start : 0
    }

    /// The value of `key` in `object`; nil when absent or `object` is not an object. Keys compare
    /// as Swift Strings do (canonical equivalence).
    public func member(_ object: Index, _ key: StaticString) -> Index? {
        let o = nodes[object.node]
        guard o.kind == .object else { return nil }
        return bytes.withUnsafeBufferPointer { buffer in
            var k = object.node + 1
            while k < o.end {
                if Self.keyEquals(nodes[k], key, in: buffer) { return Index(node: k + 1) }
                k = next(k + 1)
            }
            return nil
        }
    }

    /// Calls `body` with each member's key node and value of `object`, in document order.
    func forEachMember<E: Error>(_ object: Index, _ body: (JSONNode, Index) throws(E) -> Void) throws(E) {
        let o = nodes[object.node]
        guard o.kind == .object else { return }
        var k = object.node + 1
        while k < o.end {
            try body(nodes[k], Index(node: k + 1))
            k = next(k + 1)
        }
    }

    /// The members of `object` as (key, value) pairs, in document order.
    public func members(_ object: Index) -> [(key: String, value: Index)] {
        var result: [(key: String, value: Index)] = []
        forEachMember(object) { key, value in result.append((key: keyString(key), value: value)) }
        return result
    }

    /// The elements of `array`, in order (empty for any other kind).
    public func elements(_ array: Index) -> [Index] {
        let a = nodes[array.node]
        guard a.kind == .array else { return [] }
        var result: [Index] = []
        result.reserveCapacity(a.start)
        var k = array.node + 1
        while k < a.end {
            result.append(Index(node: k))
            k = next(k)
        }
        return result
    }

    /// The node after `k`'s subtree.
    @inline(__always)
    func next(_ k: Int) -> Int {
        let n = nodes[k]
        return n.kind == .object || n.kind == .array ? n.end : k + 1
    }

    func keyString(_ key: JSONNode) -> String {
        bytes.withUnsafeBufferPointer { Self.string(key, in: $0) }
    }

    /// Whether the key node equals `key` as Swift Strings compare.
    func keyEquals(_ node: JSONNode, _ key: StaticString) -> Bool {
        bytes.withUnsafeBufferPointer { Self.keyEquals(node, key, in: $0) }
    }

    static func keyEquals(_ node: JSONNode, _ key: StaticString, in b: UnsafeBufferPointer<UInt8>) -> Bool {
        if node.flags == 0 {
            // ASCII on both sides: String equality is byte equality.
            let n = key.utf8CodeUnitCount
            guard node.end - node.start == n else { return false }
            let p = key.utf8Start
            for k in 0..<n where b[node.start + k] != p[k] { return false }
            return true
        }
        // Escapes or non-ASCII (e.g. U+212A KELVIN SIGN equals "K"): compare as Strings, rarely taken.
        return string(node, in: b) == key.description
    }

    /// Whether two key nodes are equal as Swift Strings (the duplicate-key rule).
    static func sameKey(_ x: JSONNode, _ y: JSONNode, in b: UnsafeBufferPointer<UInt8>) -> Bool {
        if x.flags == 0, y.flags == 0 {
            let n = x.end - x.start
            guard y.end - y.start == n else { return false }
            return memcmpEqual(b, x.start, y.start, n)
        }
        return string(x, in: b) == string(y, in: b)
    }

    private static func memcmpEqual(_ b: UnsafeBufferPointer<UInt8>, _ x: Int, _ y: Int, _ n: Int) -> Bool {
        for k in 0..<n where b[x + k] != b[y + k] { return false }
        return true
    }

    /// The decoded string of a checked string node.
    static func string(_ n: JSONNode, in b: UnsafeBufferPointer<UInt8>) -> String {
        // Checked by JSONIndexer: valid UTF-8, so decoding repairs nothing.
        if n.flags & JSONNode.escaped == 0 { return String(decoding: UnsafeBufferPointer(rebasing: b[n.start..<n.end]), as: UTF8.self) }
        var out: [UInt8] = []
        unescape(n, in: b, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the decoded bytes of a checked string node that holds escapes.
    static func unescape(_ n: JSONNode, in b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        // Decoding never grows a string (`\uXXXX` is 6 bytes for at most 3), so the raw length bounds it.
        let decoded = [UInt8](unsafeUninitializedCapacity: n.end - n.start) { buffer, count in
            count = unescape(n, in: b, into: buffer)
        }
        if out.isEmpty { out = decoded } else { out.append(contentsOf: decoded) }
    }

    /// Writes the decoded bytes into `dst` (at least `n.end - n.start` long); returns how many.
    private static func unescape(_ n: JSONNode, in b: UnsafeBufferPointer<UInt8>, into dst: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let src = b.baseAddress!
        let out = dst.baseAddress!
        var o = 0
        var i = n.start
        while i < n.end {
            let run = i
            i = firstBackslash(b, from: i, to: n.end)
            let length = i - run
            if length > 0, length <= 8, run + 8 <= n.end {
                // Short runs (escaped JSON inside JSON has one every few bytes): one 8-byte move, not a
                // memmove call. In bounds: o ≤ run - n.start, so o + 8 ≤ n.end - n.start, the capacity;
                // bytes written past `length` are overwritten next or lie beyond the returned count.
                UnsafeMutableRawPointer(out + o).storeBytes(
                    of: UnsafeRawPointer(src + run).loadUnaligned(as: UInt64.self), as: UInt64.self)
                o += length
            } else if length > 0 {
                (out + o).initialize(from: src + run, count: length)
                o += length
            }
            guard i < n.end else { break }
            let e = b[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out[o] = 0x08; o += 1
            case UInt8(ascii: "f"): out[o] = 0x0C; o += 1
            case UInt8(ascii: "n"): out[o] = 0x0A; o += 1
            case UInt8(ascii: "r"): out[o] = 0x0D; o += 1
            case UInt8(ascii: "t"): out[o] = 0x09; o += 1
            case UInt8(ascii: "u"):
                var scalar = hex4(b, i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    // The indexer checked that `\u` and a low surrogate follow.
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex4(b, i + 2) - 0xDC00)
                    i += 6
                }
                o += writeUTF8(scalar, to: out + o)
            default: out[o] = e; o += 1  // `"`, `\`, `/`
            }
        }
        return o
    }

    /// The offset of the first backslash in `b[from..<to]`, or `to`; eight bytes per step.
    private static func firstBackslash(_ b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
        var i = from
        let raw = UnsafeRawPointer(b.baseAddress!)
        while to - i >= 8 {
            let s = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ 0x5C5C_5C5C_5C5C_5C5C
            let mask = (s &- 0x0101_0101_0101_0101) & ~s & 0x8080_8080_8080_8080
            // The lowest flagged byte is exactly the first backslash.
            if mask != 0 { return i + mask.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < to, b[i] != UInt8(ascii: "\\") { i += 1 }
        return i
    }

    private static func hex4(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
        var v: UInt32 = 0
        for k in at..<(at + 4) { v = v << 4 | UInt32(hexValue(b[k]) ?? 0) }
        return v
    }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func writeUTF8(_ v: UInt32, to p: UnsafeMutablePointer<UInt8>) -> Int {
        switch v {
        case ..<0x80:
            p[0] = UInt8(v)
            return 1
        case ..<0x800:
            p[0] = UInt8(0xC0 | v >> 6)
            p[1] = UInt8(0x80 | v & 0x3F)
            return 2
        case ..<0x10000:
            p[0] = UInt8(0xE0 | v >> 12)
            p[1] = UInt8(0x80 | v >> 6 & 0x3F)
            p[2] = UInt8(0x80 | v & 0x3F)
            return 3
        default:
            p[0] = UInt8(0xF0 | v >> 18)
            p[1] = UInt8(0x80 | v >> 12 & 0x3F)
            p[2] = UInt8(0x80 | v >> 6 & 0x3F)
            p[3] = UInt8(0x80 | v & 0x3F)
            return 4
        }
    }
}
