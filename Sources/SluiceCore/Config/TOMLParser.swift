/// Parses the subset of TOML 1.0 that configuration files need: `[section]` tables, `key = value`
/// with basic/literal strings, integers, floats, booleans and (multi-line) arrays, `#` comments.
/// Nested tables, inline tables and dates are rejected with a clear error rather than misread.
public struct TOMLParser {
    /// Parsed document: `section.key` → value (keys before any section have no prefix).
    /// - Parameter isSecret: keys (`section.key`) whose value text an error message must not quote.
    public static func parse(_ text: String, isSecret: (String) -> Bool = { _ in false }) throws(TOMLError) -> [String: TOMLValue] {
        var parser = TOMLParser(Array(text.unicodeScalars))
        do {
            return try parser.document()
        } catch {
            guard let key = error.key, isSecret(key), let redacted = parser.redactedMessage else { throw error }
            throw TOMLError(line: error.line, message: redacted, key: key)
        }
    }

    /// Arrays nest at most this deep; deeper input is an error, not a stack overflow (found by fuzzing).
    static let maxArrayDepth = 32

    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var arrayDepth = 0
    /// The key whose value is being read (errors carry it).
    private var valueKey: String?
    /// The last error's message without the value text it quotes, when it quotes any.
    private var redactedMessage: String?

    private init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func advance() {
        if current == "\n" { line += 1 }
        index += 1
    }

    private func fail(_ message: String) -> TOMLError { TOMLError(line: line, message: message, key: valueKey) }

    private mutating func document() throws(TOMLError) -> [String: TOMLValue] {
        var result: [String: TOMLValue] = [:]
        var section = ""
        // TOML 1.0 forbids defining a table twice; accepting it hides a typo'd or pasted duplicate section.
        var sections: Set<String> = []
        while true {
            skipBlankAndComments()
            guard let c = current else { return result }
            if c == "[" {
                advance()
                skipSpaces()
                if current == "[" { throw fail("arrays of tables are not supported") }
                var name = ""
                while let c = current, c != "]", c != "\n" { name.unicodeScalars.append(c); advance() }
                name = String(name.filter { $0 != " " && $0 != "\t" })
                guard !name.isEmpty, name.unicodeScalars.allSatisfy({ ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" || $0 == "." }) else {
                    throw fail("invalid table name")
                }
                if name.contains(".") { throw fail("nested tables are not supported ('\(name)')") }
                skipSpaces()
                guard current == "]" else { throw fail("expected ']' after table name (nested or array tables are not supported)") }
                guard sections.insert(name).inserted else {
                    throw fail("table [\(name)] is defined twice (TOML allows one header per table: put its keys under the first)")
                }
                advance()
                try endOfLine()
                section = name
                continue
            }
            let key = try bareKey()
            skipSpaces()
            guard current == "=" else { throw fail("expected '=' after key '\(key)'") }
            advance()
            skipSpaces()
            let full = section.isEmpty ? key : "\(section).\(key)"
            valueKey = full
            let value = try value()
            try endOfLine()
            valueKey = nil
            guard result[full] == nil else { throw fail("duplicate key '\(full)'") }
            result[full] = value
        }
    }

    private mutating func bareKey() throws(TOMLError) -> String {
        var key = ""
        while let c = current, c.properties.isAlphabetic && c.isASCII || ("0"..."9").contains(c) || c == "_" || c == "-" {
            key.unicodeScalars.append(c)
            advance()
        }
        guard !key.isEmpty else { throw fail("expected a key") }
        if current == "." { throw fail("dotted keys are not supported") }
        return key
    }

    private mutating func value() throws(TOMLError) -> TOMLValue {
        guard let c = current else { throw fail("expected a value") }
        switch c {
        case "\"": return .string(try basicString())
        case "'": return .string(try literalString())
        case "[": return try array()
        case "{": throw fail("inline tables are not supported")
        default: return try scalarToken()
        }
    }

    private mutating func array() throws(TOMLError) -> TOMLValue {
        guard arrayDepth < Self.maxArrayDepth else { throw fail("arrays nested deeper than \(Self.maxArrayDepth) levels") }
        arrayDepth += 1
        defer { arrayDepth -= 1 }
        advance()
        var items: [TOMLValue] = []
        while true {
            skipBlankAndComments()
            if current == "]" { advance(); return .array(items) }
            items.append(try value())
            skipBlankAndComments()
            if current == "," { advance(); continue }
            if current == "]" { advance(); return .array(items) }
            throw fail("expected ',' or ']' in array")
        }
    }

    private mutating func basicString() throws(TOMLError) -> String {
        advance()
        var out = String.UnicodeScalarView()
        while let c = current {
            advance()
            switch c {
            case "\"": return String(out)
            case "\n": throw fail("unterminated string")
            case "\\":
                guard let e = current else { throw fail("unterminated escape") }
                advance()
                switch e {
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "u", "U":
                    let width = e == "u" ? 4 : 8
                    var hex = ""
                    for _ in 0..<width {
                        guard let h = current, h.properties.isASCIIHexDigit else { throw fail("invalid unicode escape") }
                        hex.unicodeScalars.append(h)
                        advance()
                    }
                    guard let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) else { throw fail("invalid unicode escape") }
                    out.append(s)
                default: throw fail("invalid escape '\\\(e)'")
                }
            default: out.append(c)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func literalString() throws(TOMLError) -> String {
        advance()
        var out = String.UnicodeScalarView()
        while let c = current {
            advance()
            if c == "'" { return String(out) }
            if c == "\n" { break }
            out.append(c)
        }
        throw fail("unterminated string")
    }

    private mutating func scalarToken() throws(TOMLError) -> TOMLValue {
        var token = ""
        while let c = current, c != ",", c != "]", c != "#", c != "\n", c != " ", c != "\t", c != "\r" {
            token.unicodeScalars.append(c)
            advance()
        }
        if token == "true" { return .boolean(true) }
        if token == "false" { return .boolean(false) }
        let digits = String(token.filter { $0 != "_" })
        if let i = Int(digits) { return .integer(i) }
        if digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let d = Double(digits), d.isFinite {
            return .float(d)
        }
        guard !token.isEmpty else { throw fail("expected a value") }
        redactedMessage = "invalid value for '\(valueKey ?? "")' (strings need quotes; the value is secret, not shown)"
        throw fail("invalid value '\(token.prefix(40))' (strings need quotes)")
    }

    private mutating func skipSpaces() {
        while current == " " || current == "\t" { advance() }
    }

    private mutating func skipBlankAndComments() {
        while let c = current {
            if c == " " || c == "\t" || c == "\r" || c == "\n" { advance() }
            else if c == "#" { while let d = current, d != "\n" { _ = d; advance() } }
            else { return }
        }
    }

    private mutating func endOfLine() throws(TOMLError) {
        skipSpaces()
        if current == "#" { while let d = current, d != "\n" { _ = d; advance() } }
        if current == "\r" { advance() }
        guard current == nil || current == "\n" else { throw fail("unexpected text after value") }
    }
}

private extension Unicode.Scalar {
    var isASCII: Bool { value < 0x80 }
}
