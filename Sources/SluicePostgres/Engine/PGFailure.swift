import CPostgres
import SluiceCore

/// The server's SQLSTATE and primary message, kept as a `StoreError`'s underlying cause.
struct PGFailure: Error, Sendable, CustomStringConvertible {
    var sqlState: String
    var message: String

    var description: String { "SQLSTATE \(sqlState): \(message)" }

    /// Serialization failure or deadlock: the transaction may simply be run again.
    var isRetryableConflict: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// Maps a SQLSTATE to the store's error codes (transient ones make the web layer answer 503).
    func storeError(connectionLost: Bool) -> StoreError {
        let code: StoreError.Code
        switch sqlState {
        case _ where connectionLost || sqlState.hasPrefix("08"): code = .unavailable
        case "57P01", "57P02", "57P03": code = .unavailable
        case "57014", "40001", "40P01", "55P03": code = .busy
        case "25006": code = .readOnly
        case "XX001", "XX002": code = .corrupt
        case "42P01", "42703": code = .migration
        case _ where sqlState.hasPrefix("53"): code = .full
        case _ where sqlState.hasPrefix("23"): code = .constraint
        // Class 22 (data exception: out of range, bad encoding) included: the store checks its input before
        // it writes, so one here is the store's own fault, not the client's (`.invalidInput` would answer 400
        // and quote the server's message, which can hold the value).
        default: code = .io
        }
        if sqlState.hasPrefix("22") {
            return StoreError(code, "PostgreSQL refused a value the store sent (SQLSTATE \(sqlState))", underlying: self)
        }
        return StoreError(code, "PostgreSQL: \(message)", underlying: self)
    }
}

extension StoreError {
    /// Whether running the same transaction again may succeed (serialization failure or deadlock).
    var isRetryableConflict: Bool { (underlying as? PGFailure)?.isRetryableConflict ?? false }
}
