import Foundation

/// An account-wide send schedule shared by every instance on one database, so N instances together never
/// exceed MaxSendRate. Single-instance stores (SQLite) do not need it and do not conform.
public protocol SharedSendBudget: Sendable {
    /// Reserves `seconds` of the shared schedule `name` (recipients ÷ rate) and returns when the reservation
    /// starts: the caller sends at that instant, not before. Reservations never overlap across instances.
    func reserveSendSlot(name: String, seconds: TimeInterval, at now: Date) async throws(StoreError) -> Date
}
