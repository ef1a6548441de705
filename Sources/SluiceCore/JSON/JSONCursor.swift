/// The parsing state of `JSONReader` over one contiguous buffer (valid only inside its closure).
struct JSONCursor {
    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var depth = 0
    private let maxDepth: Int
    /// Scratch for strings with escapes, reused across strings.
    private var scratch: [UInt8] = []

    init(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        b = buffer
        self.maxDepth = maxDepth
    }

    mutating func document() throws(JSONReaderError) -> JSONValue {
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
        skipSpace()
        let value = try value()
        skipSpace()
        guard i == b.count else { throw fail(.syntax, "unexpected data after the JSON value") }
        return value
    }

    private func fail(_ code: JSONReaderError.Code, _ message: String) -> JSONReaderError {
        JSONReaderError(code, "\(message) at byte \(i)", offset: i)
    }

    private mutating func skipSpace() {
        while i < b.count {
            switch b[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private mutating func value() throws(JSONReaderError) -> JSONValue {
        guard i < b.count else { throw fail(.syntax, "unexpected end of input") }
        switch b[i] {
        case UInt8(ascii: "{"): return .object(try object())
        case UInt8(ascii: "["): return .array(try array())
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail(.syntax, "unexpected byte 0x\(String(b[i], radix: 16))")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONReaderError) {
        let n = word.utf8CodeUnitCount
        guard b.count - i >= n else { throw fail(.syntax, "invalid literal") }
        let p = word.utf8Start
        for k in 0..<n where b[i + k] != p[k] { throw fail(.syntax, "invalid literal") }
        i += n
    }

    private mutating func enter() throws(JSONReaderError) {
        depth += 1
        guard depth <= maxDepth else { throw fail(.tooDeep, "nesting deeper than \(maxDepth)") }
    }

    private mutating func object() throws(JSONReaderError) -> JSONObject {
        try enter()
        defer { depth -= 1 }
        i += 1
        var members: [JSONObject.Member] = []
        // Small objects check duplicates by scanning; large ones switch to a set (no quadratic cost).
        var keySet: Set<String>?
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "}") {
            i += 1
            return JSONObject(members: members)
        }
        while true {
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail(.syntax, "expected a string key") }
            let keyOffset = i
            let key = try string()
            if keySet == nil, members.count >= 16 { keySet = Set(members.map(\.key)) }
            let duplicate = keySet?.contains(key) ?? members.contains { $0.key == key }
            if duplicate { throw JSONReaderError(.duplicateKey, "an object repeats a key at byte \(keyOffset)", offset: keyOffset) }
            keySet?.insert(key)
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail(.syntax, "expected ':'") }
            i += 1
            skipSpace()
            members.append(JSONObject.Member(key: key, value: try value()))
            skipSpace()
            guard i < b.count else { throw fail(.syntax, "unterminated object") }
            if b[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard b[i] == UInt8(ascii: "}") else { throw fail(.syntax, "expected ',' or '}'") }
            i += 1
            return JSONObject(members: members)
        }
    }

    private mutating func array() throws(JSONReaderError) -> [JSONValue] {
        try enter()
        defer { depth -= 1 }
        i += 1
        var elements: [JSONValue] = []
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "]") {
            i += 1
            return elements
        }
        while true {
            skipSpace()
            elements.append(try value())
            skipSpace()
            guard i < b.count else { throw fail(.syntax, "unterminated array") }
            if b[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard b[i] == UInt8(ascii: "]") else { throw fail(.syntax, "expected ',' or ']'") }
            i += 1
            return elements
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, returned as written.
    private mutating func number() throws(JSONReaderError) -> String {
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
        // ASCII only, so this cannot fail.
        return String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    /// Reads the string starting at the opening quote at `i`; leaves `i` past the closing quote.
    private mutating func string() throws(JSONReaderError) -> String {
        i += 1
        let start = i
        // Fast path: no escapes, so the bytes between the quotes are the string.
        var high: UInt8 = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: b[start..<i])
                i += 1
                return try Self.utf8String(raw, ascii: high < 0x80, offset: start)
            }
            high |= c
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail(.invalidUTF8, "a raw control character in a string") }
            i += 1
        }
        guard i < b.count else { throw fail(.syntax, "unterminated string") }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i]))
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return try scratch.withUnsafeBufferPointer { (raw) throws(JSONReaderError) in
                    try Self.utf8String(raw, ascii: !raw.contains { $0 >= 0x80 }, offset: start)
                }
            }
            if c < 0x20 { throw fail(.invalidUTF8, "a raw control character in a string") }
            if c != UInt8(ascii: "\\") {
                // Copy the whole run up to the next quote, backslash or control byte at once.
                let run = i
                i += 1
                while i < b.count, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\"), b[i] >= 0x20 { i += 1 }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[run..<i]))
                continue
            }
            i += 1
            guard i < b.count else { throw fail(.syntax, "unterminated string") }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(e)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"): try unicodeEscape()
            default: throw fail(.invalidEscape, "unknown escape")
            }
        }
        throw fail(.syntax, "unterminated string")
    }

    /// The string of `raw`; pure ASCII needs no validation (the generic validating initialiser is
    /// measurably slow per string), anything else must be well-formed UTF-8.
    private static func utf8String(_ raw: UnsafeBufferPointer<UInt8>, ascii: Bool, offset: Int) throws(JSONReaderError) -> String {
        if ascii { return String(decoding: raw, as: UTF8.self) }
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw JSONReaderError(.invalidUTF8, "a string is not valid UTF-8 at byte \(offset)", offset: offset)
        }
        return s
    }

    /// After `\u`: four hex digits, a surrogate pair joined, appended to `scratch` as UTF-8.
    private mutating func unicodeEscape() throws(JSONReaderError) {
        var scalar = try hex4()
        if (0xD800...0xDBFF).contains(scalar) {
            guard b.count - i >= 2, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else {
                throw fail(.invalidEscape, "a high surrogate without its low surrogate")
            }
            i += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw fail(.invalidEscape, "a high surrogate without its low surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw fail(.invalidEscape, "a lone low surrogate")
        }
        // Not a surrogate and at most 0x10FFFF, so always a scalar.
        guard let unicode = Unicode.Scalar(scalar) else { throw fail(.invalidEscape, "not a Unicode scalar") }
        appendUTF8(unicode.value)
    }

    private mutating func appendUTF8(_ v: UInt32) {
        switch v {
        case ..<0x80:
            scratch.append(UInt8(v))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | v >> 6))
            scratch.append(UInt8(0x80 | v & 0x3F))
        case ..<0x10000:
            scratch.append(UInt8(0xE0 | v >> 12))
            scratch.append(UInt8(0x80 | v >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | v & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | v >> 18))
            scratch.append(UInt8(0x80 | v >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | v >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | v & 0x3F))
        }
    }

    private mutating func hex4() throws(JSONReaderError) -> UInt32 {
        guard b.count - i >= 4 else { throw fail(.invalidEscape, "a \\u escape needs four hex digits") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw fail(.invalidEscape, "a \\u escape needs four hex digits")
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }
}
