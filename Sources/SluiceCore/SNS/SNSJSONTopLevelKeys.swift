import Foundation

/// Lists the keys of a JSON text's top-level object, so duplicate keys can be refused: parsers
/// disagree on which duplicate wins, and the signed value must be the value every later reader sees.
enum SNSJSONTopLevelKeys {
    /// The decoded keys in order; nil when the text is not a well-formed top-level object.
    static func keys(_ b: [UInt8]) -> [String]? {
        var i = 0
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }  // UTF-8 BOM, which Foundation accepts
        skipSpace(b, &i)
        guard i < b.count, b[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        var keys: [String] = []
        skipSpace(b, &i)
        if i < b.count, b[i] == UInt8(ascii: "}") { return finish(b, i + 1, keys) }
        while true {
            skipSpace(b, &i)
            let start = i
            guard i < b.count, b[i] == UInt8(ascii: "\""), let end = stringEnd(b, i) else { return nil }
            guard let key = decodeString(b[start..<end]) else { return nil }
            keys.append(key)
            i = end
            skipSpace(b, &i)
            guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            skipSpace(b, &i)
            guard let valueEnd = valueEnd(b, i) else { return nil }
            i = valueEnd
            skipSpace(b, &i)
            guard i < b.count else { return nil }
            if b[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard b[i] == UInt8(ascii: "}") else { return nil }
            return finish(b, i + 1, keys)
        }
    }

    private static func finish(_ b: [UInt8], _ from: Int, _ keys: [String]) -> [String]? {
        var i = from
        skipSpace(b, &i)
        return i == b.count ? keys : nil
    }

    private static func skipSpace(_ b: [UInt8], _ i: inout Int) {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
    }

    /// Index just past the closing quote of the string starting at `i`.
    private static func stringEnd(_ b: [UInt8], _ start: Int) -> Int? {
        var i = start + 1
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i + 1
            default: i += 1
            }
        }
        return nil
    }

    /// Index just past the value starting at `i` (containers are skipped by depth, strings respected).
    private static func valueEnd(_ b: [UInt8], _ start: Int) -> Int? {
        guard start < b.count else { return nil }
        switch b[start] {
        case UInt8(ascii: "\""):
            return stringEnd(b, start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = start
            while i < b.count {
                switch b[i] {
                case UInt8(ascii: "\""):
                    guard let e = stringEnd(b, i) else { return nil }
                    i = e
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            return nil
        default:
            var i = start
            while i < b.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D]
                .contains(b[i])
            {
                i += 1
            }
            return i > start ? i : nil
        }
    }

    private static func decodeString(_ quoted: ArraySlice<UInt8>) -> String? {
        if !quoted.contains(UInt8(ascii: "\\")) {
            return String(validating: quoted.dropFirst().dropLast(), as: UTF8.self)
        }
        return try? JSONDecoder().decode(String.self, from: Data(quoted))
    }
}
