import Foundation

/// What SES said at a `GetAccount` refresh, tied to the shared ledger: `mark` is the ledger's running
/// total of reserved recipients read just before the call, so sends after it are known exactly.
public struct QuotaSeed: Sendable, Equatable {
    /// `SentLast24Hours` (every instance's sends, and any other sender on the account).
    public var sentLast24Hours: Int
    /// The ledger's `reservedTotal` read before `GetAccount` was called.
    public var mark: Int64
    /// When the mark was read.
    public var at: Date

    public init(sentLast24Hours: Int, mark: Int64, at: Date) {
        self.sentLast24Hours = sentLast24Hours
        self.mark = mark
        self.at = at
    }
}

/// The account-wide daily quota shared by several instances (issue 9): a ledger of recipients reserved
/// per minute bucket (as `RollingQuota`), reconciled with SES's own count. The PostgreSQL store applies
/// exactly this rule in SQL under one row lock; this is the reference it is tested against.
///
/// Rule: `used = max(ledger, seedSent + (reservedTotal - seedMark))`, the second term only while the seed
/// is younger than 24 h. The ledger counts every instance's reservations (not other senders on the
/// account); SES's figure counts every send up to the refresh but not ours after it, so the ledger's
/// reservations after the mark are added to it, never the ones before (those are in SES's figure already):
/// no double counting. SES's sends are treated as made at the refresh (they drop out at the next refresh or
/// after 24 h): conservative. `RollingQuota` applies the same rule to one instance's own count.
public enum SharedQuotaRule {
    /// Seconds per ledger bucket.
    public static let bucketSeconds = RollingQuota.bucketSeconds
    /// Buckets a reservation stays counted: 24 h plus the partial minute it was made in.
    public static let bucketCount = Int64(RollingQuota.bucketCount)
    /// How long a seed counts.
    public static let seedLifetime: TimeInterval = 86_400

    /// The ledger bucket (Unix minute) a reservation at `date` goes to.
    public static func minute(of date: Date) -> Int64 { RollingQuota.minute(date) }

    /// Buckets at or before this minute no longer count at `now` (a bucket counts for 1441 minutes).
    public static func expiredThrough(now: Date) -> Int64 { minute(of: now) - bucketCount }

    /// When bucket `minute` stops counting.
    public static func expiry(ofMinute minute: Int64) -> Date {
        Date(timeIntervalSince1970: Double((minute + bucketCount) * bucketSeconds))
    }

    /// Whether a seed taken at `seedAt` still counts at `now`.
    public static func seedCounts(_ seed: QuotaSeed?, now: Date) -> Bool {
        guard let seed else { return false }
        return seed.at > now.addingTimeInterval(-seedLifetime)
    }

    /// Recipients counted against the quota at `now`.
    /// - Parameters:
    ///   - ledger: recipients in live buckets (reserved by any instance in the last 24 h).
    ///   - reservedTotal: every recipient ever reserved in the ledger, minus those given back.
    public static func used(ledger: Int, reservedTotal: Int64, seed: QuotaSeed?, now: Date) -> Int {
        guard let seed, seedCounts(seed, now: now) else { return ledger }
        let fromSES = Int64(seed.sentLast24Hours) + max(0, reservedTotal - seed.mark)
        return max(ledger, Int(clamping: fromSES))
    }

    /// Whether `n` more recipients fit `limit` (negative = unlimited) when `used` are counted.
    public static func fits(_ n: Int, used: Int, limit: Double) -> Bool {
        limit < 0 || Double(used + n) <= limit
    }

    /// Seconds until `n` more recipients fit, given the live buckets (Unix minute → recipients), or `cap`
    /// when nothing known frees enough before it (SES's figure may drop at the next refresh; limits change).
    public static func retryDelay(
        _ n: Int, limit: Double, buckets: [(minute: Int64, count: Int)], reservedTotal: Int64, seed: QuotaSeed?, now: Date,
        cap: TimeInterval
    ) -> TimeInterval {
        let live = buckets.filter { $0.minute > expiredThrough(now: now) && $0.count > 0 }.sorted { $0.minute < $1.minute }
        var ledger = live.reduce(0) { $0 + $1.count }
        if fits(n, used: used(ledger: ledger, reservedTotal: reservedTotal, seed: seed, now: now), limit: limit) { return 0 }
        guard limit >= 0, Double(n) <= limit else { return cap }
        // Candidate instants: each bucket's expiry, and the seed's.
        var instants = live.map { (at: expiry(ofMinute: $0.minute), drop: $0.count) }
        if let seed, seedCounts(seed, now: now) { instants.append((at: seed.at.addingTimeInterval(seedLifetime), drop: 0)) }
        for instant in instants.sorted(by: { $0.at < $1.at }) {
            let wait = instant.at.timeIntervalSince(now)
            if wait >= cap { break }
            ledger -= instant.drop
            if fits(n, used: used(ledger: ledger, reservedTotal: reservedTotal, seed: seed, now: instant.at), limit: limit) {
                return max(0, wait)
            }
        }
        return cap
    }
}
