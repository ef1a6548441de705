import Foundation

/// A query parameter: sent in text format, except bytes which go in binary format.
enum PGValue: Sendable {
    case null
    case text(String)
    case bytes([UInt8])

    static func int(_ value: Int) -> PGValue { .text(String(value)) }
    static func string(_ value: String?) -> PGValue { value.map { .text($0) } ?? .null }

    /// Free text from outside (a bounce's diagnostic code, a link): PostgreSQL text cannot hold NUL, so each
    /// becomes U+FFFD instead of failing the whole write (SQLite keeps it). Keys and identifiers use `.text`,
    /// which refuses NUL.
    static func freeText(_ value: String?) -> PGValue {
        guard let value else { return .null }
        return .text(sanitized(value))
    }

    /// `value` with NUL replaced by U+FFFD.
    static func sanitized(_ value: String) -> String {
        value.utf8.contains(0) ? value.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : value
    }

    /// Dates are stored as BIGINT Unix milliseconds, as in the SQLite store.
    static func date(_ value: Date) -> PGValue { .text(String(milliseconds(value))) }
    static func date(_ value: Date?) -> PGValue { value.map { date($0) } ?? .null }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// A `text[]` literal (`{"a","b"}`) for `= ANY($n::text[])`; elements quoted and escaped.
    static func textArray(_ values: [String]) -> PGValue { textArray(values.map(Optional.some)) }

    /// An array literal (`{"a",NULL}`) whose elements PostgreSQL casts to the array's type (`$n::bigint[]`).
    static func textArray(_ values: [String?]) -> PGValue {
        var literal = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { literal += "," }
            guard let value else {
                literal += "NULL"
                continue
            }
            literal += "\""
            for character in value.unicodeScalars {
                if character == "\"" || character == "\\" { literal += "\\" }
                literal.unicodeScalars.append(character)
            }
            literal += "\""
        }
        return .text(literal + "}")
    }
}
