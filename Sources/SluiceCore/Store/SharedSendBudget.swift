import Foundation

/// An account-wide send budget shared by every instance on one database: one schedule at the account's
/// rate, so N instances together never exceed MaxSendRate, and one rolling 24-hour ledger, so together they
/// never exceed Max24HourSend (`SharedQuotaRule`). Single-instance stores (SQLite) do not need it and do not
/// conform; their instance keeps its own `RollingQuota`.
public protocol SharedSendBudget: Sendable {
    /// Reserves `seconds` of the shared schedule `name` (recipients ÷ rate) and returns when the reservation
    /// starts: the caller sends at that instant, not before. Reservations never overlap across instances.
    func reserveSendSlot(name: String, seconds: TimeInterval, at now: Date) async throws(StoreError) -> Date

    /// Reserves `recipients` of the daily quota and `seconds` of the schedule in one atomic step: granted only
    /// when `SharedQuotaRule.used` + `recipients` ≤ `dailyLimit` (negative = unlimited); a refusal takes nothing.
    /// `seconds` 0 reserves quota only (the caller already holds a stretch of the schedule).
    func reserveSend(name: String, seconds: TimeInterval, recipients: Int, dailyLimit: Double, at now: Date) async throws(StoreError) -> SharedSendGrant

    /// Gives back `recipients` reserved at `reservedAt` and not sent (lost claim, suppressed, paused).
    func returnSend(name: String, recipients: Int, reservedAt: Date) async throws(StoreError)

    /// The ledger's running total of reserved recipients: read it before `GetAccount`, then seed with it.
    func sendQuotaMark(name: String) async throws(StoreError) -> Int64

    /// Records SES's `SentLast24Hours` (an older seed than the stored one is ignored).
    func seedSendQuota(name: String, seed: QuotaSeed) async throws(StoreError)

    /// The ledger as the rule sees it at `now` (status, tests).
    func sendQuotaState(name: String, at now: Date) async throws(StoreError) -> SharedQuotaState
}

/// The answer to `SharedSendBudget.reserveSend`.
public enum SharedSendGrant: Sendable, Equatable {
    /// Reserved: send at `start`.
    case granted(start: Date)
    /// The daily quota has no room: `used` recipients counted; try again after `retryAfter` seconds.
    case refused(used: Int, retryAfter: TimeInterval)
}

/// The shared daily quota's figures at one instant.
public struct SharedQuotaState: Sendable, Equatable {
    /// Recipients in the ledger's live buckets.
    public var ledger: Int
    /// Every recipient reserved, minus those given back.
    public var reservedTotal: Int64
    /// The latest SES figure, if any.
    public var seed: QuotaSeed?
    /// `SharedQuotaRule.used` at that instant.
    public var used: Int

    public init(ledger: Int, reservedTotal: Int64, seed: QuotaSeed?, used: Int) {
        self.ledger = ledger
        self.reservedTotal = reservedTotal
        self.seed = seed
        self.used = used
    }
}
