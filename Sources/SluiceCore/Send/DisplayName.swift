import Foundation

/// The display-name part of a From header: quoted ASCII, or an RFC 2047 `B` encoded word when not ASCII.
enum DisplayName {
    static func encode(_ name: String) -> String {
        let cleaned = String(name.unicodeScalars.filter { $0.value >= 32 && $0.value != 127 })
        if cleaned.utf8.allSatisfy({ $0 < 128 }) {
            let escaped = cleaned.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"" + escaped + "\""
        }
        return "=?UTF-8?B?" + Data(cleaned.utf8).base64EncodedString() + "?="
    }

    /// `"name" <address>` from the ASCII bytes before `<` in a From value: trimmed of spaces and tabs,
    /// one pair of surrounding quotes removed, then as `encode` (control characters dropped, `\` and `"`
    /// escaped). Nil when no name remains. Same result as `encode` on the same text, without Foundation.
    static func asciiHeader(name raw: Substring.UTF8View, address: String) -> String? {
        var name = raw[...]
        while let first = name.first, first == 0x20 || first == 0x09 { name.removeFirst() }
        while let last = name.last, last == 0x20 || last == 0x09 { name.removeLast() }
        if name.count >= 2, name.first == UInt8(ascii: "\""), name.last == UInt8(ascii: "\"") {
            name = name.dropFirst().dropLast()
        }
        guard !name.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(name.count + address.utf8.count + 8)
        out.append(UInt8(ascii: "\""))
        for byte in name where byte >= 32 && byte != 127 {
            if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(contentsOf: "\" <".utf8)
        out.append(contentsOf: address.utf8)
        out.append(UInt8(ascii: ">"))
        return String(decoding: out, as: UTF8.self)
    }
}
