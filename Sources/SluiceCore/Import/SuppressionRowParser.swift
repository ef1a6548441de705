import Foundation

/// Streams CSV or JSON-lines bytes into `ImportRow`s. Pure and incremental: feed chunks as they
/// arrive, then `finish()`; only the current record is held in memory.
public struct SuppressionRowParser: Sendable {
    public let format: ImportFormat
    private var csv: CSVRecordReader
    private var jsonl: JSONLineReader
    /// CSV column order; decided by the first record (a header when its first field is `address`).
    private var columns: [ImportColumn]?

    public init(format: ImportFormat, maxRecordBytes: Int = 64 * 1024) {
        self.format = format
        self.csv = CSVRecordReader(maxRecordBytes: maxRecordBytes)
        self.jsonl = JSONLineReader(maxLineBytes: maxRecordBytes)
        self.columns = format == .jsonl ? [] : nil
    }

    /// Parses `bytes`, returning the rows (and rejected records) they complete.
    /// - Throws: `ImportFormatError` when the CSV header cannot be used (nothing after it is read).
    public mutating func feed(_ bytes: [UInt8]) throws(ImportFormatError) -> [ImportRowResult] {
        var results: [ImportRowResult] = []
        switch format {
        case .csv:
            var records: [CSVRecordReader.Record] = []
            csv.feed(bytes) { records.append($0) }
            for record in records { try handle(record, into: &results) }
        case .jsonl:
            jsonl.feed(bytes) { results.append(Self.parse($0)) }
        }
        return results
    }

    /// Ends the input and returns what the last, unterminated record produced.
    public mutating func finish() throws(ImportFormatError) -> [ImportRowResult] {
        var results: [ImportRowResult] = []
        switch format {
        case .csv:
            var records: [CSVRecordReader.Record] = []
            csv.finish { records.append($0) }
            for record in records { try handle(record, into: &results) }
        case .jsonl:
            jsonl.finish { results.append(Self.parse($0)) }
        }
        return results
    }

    private mutating func handle(_ record: CSVRecordReader.Record, into results: inout [ImportRowResult]) throws(ImportFormatError) {
        switch record {
        case .invalid(let line, let message):
            if columns == nil { columns = ImportColumn.positional }
            results.append(.invalid(line: line, message: message))
        case .fields(let line, let fields):
            guard let columns else {
                if let header = try Self.header(fields) {
                    columns = header
                    return
                }
                columns = ImportColumn.positional
                results.append(Self.row(line: line, fields: fields, columns: ImportColumn.positional))
                return
            }
            results.append(Self.row(line: line, fields: fields, columns: columns))
        }
    }

    /// The columns a header names, or nil when `fields` is data (its first field is not `address`).
    static func header(_ fields: [String]) throws(ImportFormatError) -> [ImportColumn]? {
        let names = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        // A header starts with `address` (never a valid address itself); anything else is data.
        guard names.first == "address" else { return nil }
        var columns: [ImportColumn] = []
        for name in names {
            guard let column = ImportColumn(rawValue: name) else {
                throw ImportFormatError(.unknownColumn, "unknown CSV column '\(name.prefix(64))' (known: \(ImportColumn.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard !columns.contains(column) else { throw ImportFormatError(.duplicateColumn, "CSV column '\(name)' appears twice") }
            columns.append(column)
        }
        return columns
    }

    static func row(line: Int, fields: [String], columns: [ImportColumn]) -> ImportRowResult {
        guard fields.count <= columns.count else {
            return .invalid(line: line, message: "\(fields.count) fields, expected at most \(columns.count)")
        }
        var row = ImportRow(line: line, address: "")
        for (column, value) in zip(columns, fields) {
            column.assign(value, to: &row)
        }
        // One printable ASCII byte settles it without walking Characters (the common case, per row).
        let blank = !row.address.utf8.contains { $0 > 0x20 && $0 < 0x7F } && row.address.allSatisfy(\.isWhitespace)
        guard !blank else { return .invalid(line: line, message: "address is empty") }
        return .row(row)
    }

    static func parse(_ line: JSONLineReader.Line) -> ImportRowResult {
        switch line {
        case .tooLong(let number):
            return .invalid(line: number, message: "line too long")
        case .text(let number, let bytes):
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                return .invalid(line: number, message: "not a JSON object")
            }
            var row = ImportRow(line: number, address: "")
            // Sorted: a Dictionary's order differs between instances, and the verdict (which field is
            // reported) must not depend on it (found by the suppression-import fuzz target).
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                guard let column = ImportColumn(rawValue: key) else {
                    return .invalid(line: number, message: "unknown field '\(key.prefix(64))'")
                }
                switch value {
                case let text as String:
                    column.assign(text, to: &row)
                case is NSNull:
                    column.assign(nil, to: &row)
                case let numeric as NSNumber where column == .count:
                    guard let text = Self.countText(numeric) else {
                        return .invalid(line: number, message: "field 'count' must be an integer")
                    }
                    column.assign(text, to: &row)
                default:
                    return .invalid(line: number, message: "field '\(key)' must be a \(column == .count ? "number" : "string")")
                }
            }
            guard !row.address.isEmpty else { return .invalid(line: number, message: "address is missing") }
            return .row(row)
        }
    }

    /// A JSON count as decimal text for the same checks as a CSV field, or nil for `true`/`false` and
    /// fractions (`intValue` would read them as 1 and 1; a huge number stays as written and fails the range check).
    static func countText(_ number: NSNumber) -> String? {
        switch UInt8(bitPattern: number.objCType.pointee) {
        case UInt8(ascii: "c"), UInt8(ascii: "B"):
            // JSONSerialization's booleans; JSON numbers never come back as chars.
            return nil
        case UInt8(ascii: "d"), UInt8(ascii: "f"):
            let value = number.doubleValue
            guard value.isFinite, value.rounded(.towardZero) == value else { return nil }
            return Int(exactly: value).map { "\($0)" } ?? number.stringValue
        default:
            return number.stringValue
        }
    }
}
