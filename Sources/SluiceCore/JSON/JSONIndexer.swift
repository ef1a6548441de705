/// One pass over a JSON text that checks it (see `JSONDocument` for the rules; errors in document
/// order) and records `JSONNode`s instead of decoding values.
struct JSONIndexer {
    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var depth = 0
    private let maxDepth: Int
    private let maxValues: Int
    private(set) var nodes: [JSONNode] = []

    init(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int, maxValues: Int = .max) {
        b = buffer
        self.maxDepth = maxDepth
        self.maxValues = maxValues
        // Roughly one node per 12 bytes in SNS/SES documents; a guess, not a bound.
        nodes.reserveCapacity(min(buffer.count / 12 + 4, 1 << 16))
    }

    mutating func document() throws(JSONReaderError) {
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
        skipSpace()
        try value()
        skipSpace()
        guard i == b.count else { throw fail(.syntax, "unexpected data after the JSON value") }
    }

    private func fail(_ code: JSONReaderError.Code, _ message: String) -> JSONReaderError {
        JSONReaderError(code, "\(message) at byte \(i)", offset: i)
    }

    @inline(__always)
    private mutating func skipSpace() {
        while i < b.count {
            switch b[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private mutating func value() throws(JSONReaderError) {
        guard i < b.count else { throw fail(.syntax, "unexpected end of input") }
        // Keys are nodes too and count here (a last key can take the count one past the limit).
        guard nodes.count < maxValues else { throw fail(.tooManyElements, "more than \(maxValues) values") }
        switch b[i] {
        case UInt8(ascii: "{"): try object()
        case UInt8(ascii: "["): try array()
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true", .true)
        case UInt8(ascii: "f"): try literal("false", .false)
        case UInt8(ascii: "n"): try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw fail(.syntax, "unexpected byte 0x\(String(b[i], radix: 16))")
        }
    }

    private mutating func literal(_ word: StaticString, _ kind: JSONNode.Kind) throws(JSONReaderError) {
        let n = word.utf8CodeUnitCount
        guard b.count - i >= n else { throw fail(.syntax, "invalid literal") }
        let p = word.utf8Start
        for k in 0..<n where b[i + k] != p[k] { throw fail(.syntax, "invalid literal") }
        nodes.append(JSONNode(kind: kind, start: i, end: i + n))
        i += n
    }

    private mutating func enter() throws(JSONReaderError) {
        depth += 1
        guard depth <= maxDepth else { throw fail(.tooDeep, "nesting deeper than \(maxDepth)") }
    }

    private mutating func object() throws(JSONReaderError) {
        try enter()
        defer { depth -= 1 }
        i += 1
        let me = nodes.count
        nodes.append(JSONNode(kind: .object, start: 0, end: 0))
        // Small objects check duplicates by scanning; large ones switch to a set (no quadratic cost).
        var keySet: Set<String>?
        var count = 0
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "}") {
            i += 1
            nodes[me].end = nodes.count
            return
        }
        while true {
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail(.syntax, "expected a string key") }
            let keyOffset = i
            let keyNode = nodes.count
            try string()
            if count >= 16 {
                if keySet == nil { keySet = earlierKeys(me, before: keyNode) }
                if !keySet!.insert(JSONDocument.string(nodes[keyNode], in: b)).inserted { throw duplicate(keyOffset) }
            } else if isDuplicate(keyNode, in: me) {
                throw duplicate(keyOffset)
            }
            count += 1
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail(.syntax, "expected ':'") }
            i += 1
            skipSpace()
            try value()
            skipSpace()
            guard i < b.count else { throw fail(.syntax, "unterminated object") }
            if b[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard b[i] == UInt8(ascii: "}") else { throw fail(.syntax, "expected ',' or '}'") }
            i += 1
            nodes[me].start = count
            nodes[me].end = nodes.count
            return
        }
    }

    private func duplicate(_ keyOffset: Int) -> JSONReaderError {
        JSONReaderError(.duplicateKey, "an object repeats a key at byte \(keyOffset)", offset: keyOffset)
    }

    /// Whether the key at `keyNode` equals an earlier key of the object at `object` (whose earlier
    /// members are complete, so their subtrees can be stepped over).
    private func isDuplicate(_ keyNode: Int, in object: Int) -> Bool {
        let key = nodes[keyNode]
        var k = object + 1
        while k < keyNode {
            if JSONDocument.sameKey(nodes[k], key, in: b) { return true }
            let v = nodes[k + 1]
            k = v.kind == .object || v.kind == .array ? v.end : k + 2
        }
        return false
    }

    /// The decoded keys of the object at `object` that come before `keyNode`.
    private func earlierKeys(_ object: Int, before keyNode: Int) -> Set<String> {
        var set = Set<String>(minimumCapacity: 32)
        var k = object + 1
        while k < keyNode {
            set.insert(JSONDocument.string(nodes[k], in: b))
            let v = nodes[k + 1]
            k = v.kind == .object || v.kind == .array ? v.end : k + 2
        }
        return set
    }

    private mutating func array() throws(JSONReaderError) {
        try enter()
        defer { depth -= 1 }
        i += 1
        let me = nodes.count
        nodes.append(JSONNode(kind: .array, start: 0, end: 0))
        var count = 0
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "]") {
            i += 1
            nodes[me].end = nodes.count
            return
        }
        while true {
            skipSpace()
            try value()
            count += 1
            skipSpace()
            guard i < b.count else { throw fail(.syntax, "unterminated array") }
            if b[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard b[i] == UInt8(ascii: "]") else { throw fail(.syntax, "expected ',' or ']'") }
            i += 1
            nodes[me].start = count
            nodes[me].end = nodes.count
            return
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; only the range is kept.
    private mutating func number() throws(JSONReaderError) {
        let start = i
        if b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count, isDigit(b[i]) else { throw fail(.syntax, "invalid number") }
        if b[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard i < b.count, isDigit(b[i]) else { throw fail(.syntax, "invalid number") }
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard i < b.count, isDigit(b[i]) else { throw fail(.syntax, "invalid number") }
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        nodes.append(JSONNode(kind: .number, start: start, end: i))
    }

    @inline(__always)
    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    /// Checks the string starting at the opening quote at `i` (escapes, control bytes, then UTF-8,
    /// in that order) and records its raw range; leaves `i` past the closing quote.
    private mutating func string() throws(JSONReaderError) {
        i += 1
        let start = i
        var high: UInt64 = 0
        var flags: UInt8 = 0
        // Non-nil: the caller saw the opening quote.
        let raw = UnsafeRawPointer(b.baseAddress!)
        while true {
            // Eight bytes at a time while none is a quote, a backslash or a control byte (SWAR
            // "has a zero byte" / "has a byte less than n" tests; exact, no false negatives).
            while b.count - i >= 8 {
                let v = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let q = v ^ 0x2222_2222_2222_2222
                let s = v ^ 0x5C5C_5C5C_5C5C_5C5C
                let special = ((q &- 0x0101_0101_0101_0101) & ~q) | ((s &- 0x0101_0101_0101_0101) & ~s)
                    | ((v &- 0x2020_2020_2020_2020) & ~v)
                let mask = special & 0x8080_8080_8080_8080
                if mask != 0 {
                    // The lowest flagged byte is exactly the first special one; skip the bytes before it.
                    let k = mask.trailingZeroBitCount >> 3
                    if k > 0 {
                        high |= v & (UInt64.max >> (64 - 8 * k))
                        i += k
                    }
                    break
                }
                high |= v
                i += 8
            }
            // Byte by byte up to and including the next special byte.
            while true {
                guard i < b.count else { throw fail(.syntax, "unterminated string") }
                let c = b[i]
                if c == UInt8(ascii: "\"") {
                    if high & 0x8080_8080_8080_8080 != 0 {
                        flags |= JSONNode.nonASCII
                        guard UTF8Check.isValid(UnsafeBufferPointer(rebasing: b[start..<i])) else {
                            throw JSONReaderError(.invalidUTF8, "a string is not valid UTF-8 at byte \(start)", offset: start)
                        }
                    }
                    nodes.append(JSONNode(kind: .string, flags: flags, start: start, end: i))
                    i += 1
                    return
                }
                if c < 0x20 { throw fail(.invalidUTF8, "a raw control character in a string") }
                i += 1
                if c == UInt8(ascii: "\\") { break }
                high |= UInt64(c)
            }
            flags |= JSONNode.escaped
            guard i < b.count else { throw fail(.syntax, "unterminated string") }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                continue
            case UInt8(ascii: "u"): try unicodeEscape()
            default: throw fail(.invalidEscape, "unknown escape")
            }
        }
    }

    /// After `\u`: four hex digits; a high surrogate must be followed by `\u` and a low one.
    private mutating func unicodeEscape() throws(JSONReaderError) {
        let scalar = try hex4()
        if (0xD800...0xDBFF).contains(scalar) {
            guard b.count - i >= 2, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else {
                throw fail(.invalidEscape, "a high surrogate without its low surrogate")
            }
            i += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw fail(.invalidEscape, "a high surrogate without its low surrogate") }
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw fail(.invalidEscape, "a lone low surrogate")
        }
    }

    private mutating func hex4() throws(JSONReaderError) -> UInt32 {
        guard b.count - i >= 4 else { throw fail(.invalidEscape, "a \\u escape needs four hex digits") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let d = JSONDocument.hexValue(b[i]) else { throw fail(.invalidEscape, "a \\u escape needs four hex digits") }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }
}
