import Foundation

/// Filters and position for listing suppressions.
public struct SuppressionQuery: Sendable, Equatable {
    /// Largest page a store returns.
    public static let maxLimit = 1000

    public var reason: SuppressionReason?
    /// Matches the part after the last `@` exactly.
    public var domain: String?
    /// Only rows with `lastSeen >= since`.
    public var since: Date?
    /// Only rows the store wrote at or after this time (a store that keeps no write time uses `lastSeen`).
    public var changedSince: Date?
    /// Only rows still active at this instant; nil lists expired-but-unpurged rows too.
    public var activeAt: Date?
    /// Page size, clamped to 1...`maxLimit`.
    public var limit: Int
    /// Continue after this position (from the previous page's `nextCursor`).
    public var cursor: SuppressionCursor?

    public init(
        reason: SuppressionReason? = nil, domain: String? = nil, since: Date? = nil, activeAt: Date? = nil,
        limit: Int = 100, cursor: SuppressionCursor? = nil, changedSince: Date? = nil
    ) {
        self.changedSince = changedSince
        self.reason = reason
        self.domain = domain
        self.since = since
        self.activeAt = activeAt
        self.limit = limit
        self.cursor = cursor
    }

    /// `limit` clamped to what a store returns.
    public var effectiveLimit: Int { min(max(limit, 1), Self.maxLimit) }
}
