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
        case _ where sqlState.hasPrefix("22"): code = .invalidInput
        case _ where sqlState.hasPrefix("23"): code = .constraint
        default: code = .io
        }
        return StoreError(code, "PostgreSQL: \(message)", underlying: self)
    }
}

extension StoreError {
    /// Whether running the same transaction again may succeed (serialization failure or deadlock).
    var isRetryableConflict: Bool { (underlying as? PGFailure)?.isRetryableConflict ?? false }
}
