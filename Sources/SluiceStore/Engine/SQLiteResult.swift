import CSQLite
import SluiceCore

/// The one place that turns SQLite result codes into `StoreError`.
enum SQLiteResult {
    /// The `StoreError.Code` for a (primary or extended) SQLite result code.
    static func code(for resultCode: Int32) -> StoreError.Code {
        switch resultCode & 0xFF {
        case SQLITE_FULL: return .full
        case SQLITE_READONLY: return .readOnly
        case SQLITE_CORRUPT, SQLITE_NOTADB: return .corrupt
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy
        case SQLITE_CANTOPEN: return .unavailable
        case SQLITE_IOERR: return .io
        case SQLITE_CONSTRAINT: return .constraint
        case SQLITE_NOTFOUND: return .notFound
        case SQLITE_MISUSE, SQLITE_RANGE, SQLITE_MISMATCH, SQLITE_TOOBIG: return .invalidInput
        default: return .io
        }
    }

    /// An error for `resultCode`, capturing the connection's extended code and message at once.
    static func error(_ resultCode: Int32, connection: OpaquePointer?, context: String) -> StoreError {
        var extended = resultCode
        var detail = String(cString: sqlite3_errstr(resultCode))
        if let connection {
            extended = sqlite3_extended_errcode(connection)
            // The connection's code can be stale when the failure came from elsewhere (e.g. open).
            if extended & 0xFF != resultCode & 0xFF { extended = resultCode }
            if let message = sqlite3_errmsg(connection) { detail = String(cString: message) }
        }
        return StoreError(code(for: extended), "\(context): \(detail) (sqlite \(extended))", underlying: SQLiteCode(extended: extended))
    }
}

/// The raw SQLite result code behind a `StoreError`, kept as its `underlying` cause.
public struct SQLiteCode: Error, Sendable, Equatable {
    public var extended: Int32
    public var primary: Int32 { extended & 0xFF }
}
