import Foundation

/// A claim as the store committed it (`OutboundQueueStore.claim(id:dropping:message:at:dueBy:clock:)`).
public struct QueueClaim: Sendable, Equatable {
    /// The message's attempts after the claim, this one included (the committed count, not a stale read).
    public var attempts: Int
    /// The row's `claimed_at`: handed back to `markSent`, `requeue` and `markFailed` so they apply to this
    /// claim only.
    public var claimedAt: Date

    public init(attempts: Int, claimedAt: Date) {
        self.attempts = attempts
        self.claimedAt = claimedAt
    }
}

/// Which clock stamps a claim's `claimed_at` and measures its age for crash recovery (the lease).
public enum LeaseClock: Sendable, Equatable {
    /// The `now` handed in (tools and tests that set the time).
    case caller
    /// The store's own clock: the database server's where several instances share the store (PostgreSQL),
    /// so a lease never compares two machines' clocks; on SQLite (one host) the `now` handed in.
    case store
}
