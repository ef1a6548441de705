import Foundation

/// The CSV form of suppressions used by exports (and accepted back by imports, header included).
public enum SuppressionCSV {
    /// Export columns, in order; every name is an `ImportColumn`, so an export imports as is.
    public static let columns: [ImportColumn] = [
        .address, .originalAddress, .scope, .reason, .detail, .firstSeen, .lastSeen, .count, .source, .expiresAt,
    ]

    /// The header line, CRLF-terminated as RFC 4180 asks.
    public static var header: String { columns.map(\.rawValue).joined(separator: ",") + "\r\n" }

    /// Appends `suppression` as one CRLF-terminated record.
    public static func append(_ suppression: Suppression, to out: inout [UInt8]) {
        field(suppression.address, &out)
        out.append(UInt8(ascii: ","))
        field(suppression.originalAddress, &out)
        out.append(UInt8(ascii: ","))
        field(suppression.scope, &out)
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: suppression.reason.rawValue.utf8)
        out.append(UInt8(ascii: ","))
        field(suppression.detail ?? "", &out)
        out.append(UInt8(ascii: ","))
        RFC3339.append(suppression.firstSeen, to: &out)
        out.append(UInt8(ascii: ","))
        RFC3339.append(suppression.lastSeen, to: &out)
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: String(suppression.count).utf8)
        out.append(UInt8(ascii: ","))
        field(suppression.source, &out)
        out.append(UInt8(ascii: ","))
        if let expiresAt = suppression.expiresAt { RFC3339.append(expiresAt, to: &out) }
        out.append(contentsOf: [0x0D, 0x0A])
    }

    /// Writes `text` as a CSV field, quoted when it holds a comma, quote, line break or edge spaces.
    static func field(_ text: String, _ out: inout [UInt8]) {
        let utf8 = text.utf8
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
