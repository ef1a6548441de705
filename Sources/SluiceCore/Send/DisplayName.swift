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
}
