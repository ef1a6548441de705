import CPostgres
import Foundation
import SluiceCore

/// A query result in text format; owns the `PGresult` and frees it in `deinit`.
final class PGResult {
    private let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { PQclear(handle) }

    var rowCount: Int { Int(PQntuples(handle)) }

    /// Rows changed by INSERT/UPDATE/DELETE (0 for other commands).
    var affectedRows: Int {
        guard let text = PQcmdTuples(handle) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(column)) == 1 }

    func string(_ row: Int, _ column: Int) -> String {
        guard let value = PQgetvalue(handle, Int32(row), Int32(column)) else { return "" }
        return String(cString: value)
    }

    func optionalString(_ row: Int, _ column: Int) -> String? { isNull(row, column) ? nil : string(row, column) }

    func int(_ row: Int, _ column: Int) -> Int { Int(string(row, column)) ?? 0 }

    func int64(_ row: Int, _ column: Int) -> Int64 { Int64(string(row, column)) ?? 0 }

    func bool(_ row: Int, _ column: Int) -> Bool { string(row, column) == "t" }

    func date(_ row: Int, _ column: Int) -> Date { PGValue.date(milliseconds: int64(row, column)) }

    func optionalDate(_ row: Int, _ column: Int) -> Date? { isNull(row, column) ? nil : date(row, column) }

    /// A `bytea` column: text format sends it as `\x` followed by hex digits.
    func bytes(_ row: Int, _ column: Int) -> [UInt8] {
        guard let value = PQgetvalue(handle, Int32(row), Int32(column)) else { return [] }
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        return Self.decodeHex(UnsafeBufferPointer(start: UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), count: length))
    }

    static func decodeHex(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard text.count >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x") else { return Array(text) }
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return 0
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity((text.count - 2) / 2)
        var index = 2
        while index + 1 < text.count {
            out.append(nibble(text[index]) << 4 | nibble(text[index + 1]))
            index += 2
        }
        return out
    }
}
