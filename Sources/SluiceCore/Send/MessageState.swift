/// Where a queued message is. Raw values are API and database contracts.
public enum MessageState: String, Sendable, Codable, CaseIterable {
    /// Accepted and durable; waiting for a worker (possibly until `nextAttemptAt`).
    case queued
    /// Claimed by a worker and committed as such before the SES call.
    case sending
    /// SES accepted it (or the outbox recorded it).
    case sent
    /// Permanent error, attempts exhausted, or outcome unknown after a crash (at-most-once recovery).
    case failed
    /// Every recipient was suppressed by the time it was due.
    case suppressed

    /// No further transition happens from here.
    public var isFinal: Bool { self == .sent || self == .failed || self == .suppressed }
}
