import CSQLite
import Foundation
import SluiceCore

/// A prepared statement owned by its `Database` cache; indices are 1-based for binds, 0-based for columns.
final class Statement {
    private let handle: OpaquePointer
    private unowned let database: Database

    init(_ handle: OpaquePointer, database: Database) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    /// Advances; true when a row is available.
    @inline(__always)
    func step() throws(StoreError) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        try database.check(rc, "step")
        return false
    }

    /// Binds with `bind`, steps to completion and resets; returns the rows changed.
    @discardableResult
    func run(_ bind: (Statement) -> Void) throws(StoreError) -> Int {
        defer { reset() }
        bind(self)
        while try step() {}
        return database.changes
    }

    /// Makes the statement reusable and drops bound values.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Binding (errors here are programming errors, SQLITE_RANGE or MISUSE, and are not reported: a
    // statement comes reset from `Database.statement`, and tests cover every index used)

    func bind(_ value: Int, at index: Int32) { sqlite3_bind_int64(handle, index, Int64(value)) }
    func bind(_ value: Int64, at index: Int32) { sqlite3_bind_int64(handle, index, value) }
    func bind(_ value: Int?, at index: Int32) {
        if let value { bind(value, at: index) } else { bindNull(at: index) }
    }

    func bind(_ value: String, at index: Int32) {
        var value = value
        value.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                // A NULL pointer would bind SQL NULL, so the empty string gets a real (static) one.
                guard let base = chars.baseAddress, !chars.isEmpty else {
                    _ = sqlite3_bind_text(handle, index, "", 0, nil)
                    return
                }
                // TRANSIENT: SQLite copies, because the buffer is only valid inside this closure.
                _ = sqlite3_bind_text(handle, index, base, Int32(chars.count), CSQLite_transient())
            }
        }
    }

    func bind(_ value: String?, at index: Int32) {
        if let value { bind(value, at: index) } else { bindNull(at: index) }
    }

    func bind(_ value: [UInt8], at index: Int32) {
        value.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else {
                _ = sqlite3_bind_zeroblob(handle, index, 0)
                return
            }
            _ = sqlite3_bind_blob(handle, index, base, Int32(buffer.count), CSQLite_transient())
        }
    }

    /// Dates are stored as integer Unix milliseconds.
    func bind(_ value: Date, at index: Int32) { bind(Self.milliseconds(value), at: index) }
    func bind(_ value: Date?, at index: Int32) {
        if let value { bind(value, at: index) } else { bindNull(at: index) }
    }

    func bindNull(at index: Int32) { sqlite3_bind_null(handle, index) }

    // MARK: Reading

    func isNull(at column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func int(at column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
    func int64(at column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func string(at column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    func optionalString(at column: Int32) -> String? { isNull(at: column) ? nil : string(at: column) }

    func blob(at column: Int32) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    func date(at column: Int32) -> Date { Self.date(milliseconds: int64(at: column)) }
    func optionalDate(at column: Int32) -> Date? { isNull(at: column) ? nil : date(at: column) }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
