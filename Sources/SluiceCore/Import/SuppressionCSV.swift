import Foundation

/// The CSV form of suppressions used by exports (and accepted back by imports, header included).
public enum SuppressionCSV {
    /// Export columns, in order; every name is an `ImportColumn`, so an export imports as is.
    public static let columns: [ImportColumn] = [
        .address, .originalAddress, .scope, .reason, .detail, .firstSeen, .lastSeen, .count, .source, .expiresAt,
    ]

    /// The header line, CRLF-terminated as RFC 4180 asks.
    public static var header: String { columns.map(\.rawValue).joined(separator: ",") + "\r\n" }

    /// Appends `suppression` as one CRLF-terminated record. `spreadsheet` neutralises formulas (`formulaSafe`):
    /// for opening the file in a spreadsheet, not for importing it back (the prefix would be kept).
    public static func append(_ suppression: Suppression, to out: inout [UInt8], spreadsheet: Bool = false) {
        field(suppression.address, &out, spreadsheet: spreadsheet)
        out.append(UInt8(ascii: ","))
        field(suppression.originalAddress, &out, spreadsheet: spreadsheet)
        out.append(UInt8(ascii: ","))
        field(suppression.scope, &out, spreadsheet: spreadsheet)
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: suppression.reason.rawValue.utf8)
        out.append(UInt8(ascii: ","))
        field(suppression.detail ?? "", &out, spreadsheet: spreadsheet)
        out.append(UInt8(ascii: ","))
        RFC3339.append(suppression.firstSeen, to: &out)
        out.append(UInt8(ascii: ","))
        RFC3339.append(suppression.lastSeen, to: &out)
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: String(suppression.count).utf8)
        out.append(UInt8(ascii: ","))
        field(suppression.source, &out, spreadsheet: spreadsheet)
        out.append(UInt8(ascii: ","))
        if let expiresAt = suppression.expiresAt { RFC3339.append(expiresAt, to: &out) }
        out.append(contentsOf: [0x0D, 0x0A])
    }

    /// `text` with a `'` in front when a spreadsheet would read it as a formula: it starts with `=`, `+`, `-`,
    /// `@`, tab or CR (OWASP "CSV Injection"). Addresses, details and sources come from outside (a sign-up
    /// form, a bounce message), so `=HYPERLINK(…)` can reach an export.
    public static func formulaSafe(_ text: String) -> String {
        switch text.utf8.first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: "'" + text
        default: text
        }
    }

    /// Writes `text` as a CSV field, quoted when it holds a comma, quote, line break or edge spaces.
    static func field(_ text: String, _ out: inout [UInt8], spreadsheet: Bool = false) {
        let utf8 = spreadsheet ? formulaSafe(text).utf8 : text.utf8
        let needsQuotes = utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
            || utf8.first == 0x20 || utf8.last == 0x20 || utf8.first == 0x09 || utf8.last == 0x09
        guard needsQuotes else {
            out.append(contentsOf: utf8)
            return
        }
        out.append(0x22)
        for byte in utf8 {
            if byte == 0x22 { out.append(0x22) }
            out.append(byte)
        }
        out.append(0x22)
    }
}
