import Foundation

/// Why an address is suppressed. Raw values are API and database contracts.
public enum SuppressionReason: String, Sendable, Codable, CaseIterable {
    case hardBounce = "hard_bounce"
    case softBounceLimit = "soft_bounce_limit"
    case complaint
    case unsubscribed
    case manual
    case sesAccount = "ses_account"

    /// Precedence when two reasons compete for one (address, scope) row, highest first: manual,
    /// hard_bounce, unsubscribed, complaint, ses_account, soft_bounce_limit (README, "Suppressions").
    public var precedence: Int {
        switch self {
        case .manual: 5
        case .hardBounce: 4
        case .unsubscribed: 3
        case .complaint: 2
        case .sesAccount: 1
        case .softBounceLimit: 0
        }
    }
}

/// One suppressed address (optionally scoped to a contact list/topic).
public struct Suppression: Sendable, Equatable, Codable {
    /// Normalised address: the matching key.
    public var address: String
    /// The spelling first seen.
    public var originalAddress: String
    /// "" for every mail; otherwise a contact list or topic ("list" or "list/topic").
    public var scope: String
    public var reason: SuppressionReason
    /// Bounce subtype, complaint feedback type, operator note...
    public var detail: String?
    public var firstSeen: Date
    public var lastSeen: Date
    public var count: Int
    /// SES/SNS message id that caused it, or `operator:<name>`.
    public var source: String
    public var expiresAt: Date?

    public init(
        address: String, originalAddress: String? = nil, scope: String = "", reason: SuppressionReason,
        detail: String? = nil, firstSeen: Date, lastSeen: Date? = nil, count: Int = 1, source: String,
        expiresAt: Date? = nil
    ) {
        self.address = address
        self.originalAddress = originalAddress ?? address
        self.scope = scope
        self.reason = reason
        self.detail = detail
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen ?? firstSeen
        self.count = count
        self.source = source
        self.expiresAt = expiresAt
    }

    /// Whether the suppression still applies at `now`.
    public func isActive(at now: Date) -> Bool {
        guard let expiresAt else { return true }
        return expiresAt > now
    }

    /// This row with a later one for the same key merged in: the earliest firstSeen, the counts added
    /// (saturating at `Int.max`), the spelling first seen kept, everything else from `later` (the rule every
    /// store applies to an upsert).
    public func merging(_ later: Suppression) -> Suppression {
        var result = self
        result.firstSeen = min(firstSeen, later.firstSeen)
        result.count = Self.addingCounts(count, later.count)
        result.reason = later.reason
        result.detail = later.detail
        // Events arrive unordered: a late, older one must not move the last sighting back (lifting a
        // complaint on a `not-spam` report compares with it).
        result.lastSeen = max(lastSeen, later.lastSeen)
        result.source = later.source
        result.expiresAt = later.expiresAt
        return result
    }

    /// This row with an imported one for the same key merged in, never weakened: the reason of higher
    /// precedence with its detail and source (the imported one's on a tie), the later expiry (none is
    /// the latest), the earliest first and latest last sighting, the larger count, the spelling first seen.
    ///
    /// An import restates rows (an export, SES's list, another system's), so the larger count is kept
    /// rather than the sum: importing a file again changes nothing. The rule is associative, so a chunk or a
    /// staged run may fold its own duplicates first.
    public func mergingImport(_ imported: Suppression) -> Suppression {
        var result = self
        result.firstSeen = min(firstSeen, imported.firstSeen)
        result.lastSeen = max(lastSeen, imported.lastSeen)
        result.count = max(count, imported.count)
        if imported.reason.precedence >= reason.precedence {
            result.reason = imported.reason
            result.detail = imported.detail
            result.source = imported.source
        }
        result.expiresAt = Self.later(expiresAt, imported.expiresAt)
        return result
    }

    /// The later of two expiries, nil (never) being the latest.
    public static func later(_ left: Date?, _ right: Date?) -> Date? {
        guard let left, let right else { return nil }
        return max(left, right)
    }

    /// `left + right`, or `Int.max` where that would overflow: a database may already hold a huge count
    /// (imports before counts were capped), and a merge must never trap on it.
    public static func addingCounts(_ left: Int, _ right: Int) -> Int {
        let (sum, overflow) = left.addingReportingOverflow(right)
        guard overflow else { return sum }
        return right < 0 ? Int.min : Int.max
    }
}
