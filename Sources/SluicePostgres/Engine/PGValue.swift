import Foundation

/// A query parameter: sent in text format, except bytes which go in binary format.
enum PGValue: Sendable {
    case null
    case text(String)
    case bytes([UInt8])

    static func int(_ value: Int) -> PGValue { .text(String(value)) }
    static func string(_ value: String?) -> PGValue { value.map { .text($0) } ?? .null }
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
    static func textArray(_ values: [String]) -> PGValue {
        var literal = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { literal += "," }
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
