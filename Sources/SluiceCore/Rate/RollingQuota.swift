import Foundation

/// A rolling 24-hour send count in one-minute buckets (SES `Max24HourSend`; -1 = unlimited), reconciled
/// with SES's own `SentLast24Hours` by the same rule as the shared ledger (`SharedQuotaRule`).
///
/// Conservative by construction: a send recorded in minute m stays counted until the end of minute
/// m + 1440, i.e. for 24 h plus up to one minute, never less. SES's figure counts as sent at the refresh
/// it came with, and only until the next refresh replaces it: recorded on top of the buckets, it would
/// hold a restarted instance to the whole of the previous day's sends for another 24 h.
public struct RollingQuota: Sendable, Equatable {
    /// Seconds per bucket.
    public static let bucketSeconds: Int64 = 60
    /// 1440 minutes in 24 h, plus the partial minute a send was recorded in.
    public static let bucketCount = 1441

    /// Sends allowed per rolling 24 h; negative = unlimited.
    public private(set) var max24HourSend: Double
    private var minutes: [Int64]
    private var counts: [Int]
    /// Every send ever recorded, minus those given back: read it before `GetAccount` and seed with it.
    public private(set) var mark: Int64 = 0
    /// SES's latest `SentLast24Hours`, tied to `mark`.
    public private(set) var seed: QuotaSeed?

    public init(max24HourSend: Double) {
        self.max24HourSend = max24HourSend
        minutes = Array(repeating: Int64.min, count: Self.bucketCount)
        counts = Array(repeating: 0, count: Self.bucketCount)
    }

    public var isUnlimited: Bool { max24HourSend < 0 }

    /// Updates the limit (e.g. after `GetAccount`), keeping recorded sends.
    public mutating func setLimit(_ max24HourSend: Double) { self.max24HourSend = max24HourSend }

    /// Sends counted in the window ending at `now`: the recorded ones, or SES's figure plus the sends
    /// recorded after it, whichever is more.
    public func usedInWindow(now: Date) -> Int {
        SharedQuotaRule.used(ledger: recordedInWindow(now: now), reservedTotal: mark, seed: seed, now: now)
    }

    /// Sends recorded in the window ending at `now` (on every reservation: no allocation).
    private func recordedInWindow(now: Date) -> Int {
        let oldest = Self.oldestLiveMinute(now)
        var total = 0
        for i in 0..<Self.bucketCount where minutes[i] >= oldest { total += counts[i] }
        return total
    }

    /// The oldest minute whose bucket still counts at `now`. Buckets from a later minute (clock stepped back)
    /// still count: conservative.
    private static func oldestLiveMinute(_ now: Date) -> Int64 { minute(now) - Int64(bucketCount) + 1 }

    /// Whether `n` more sends fit in the window at `now`.
    public func canSend(_ n: Int = 1, now: Date) -> Bool {
        isUnlimited || Double(usedInWindow(now: now) + n) <= max24HourSend
    }

    /// Records `n` sends at `now`.
    public mutating func record(_ n: Int = 1, now: Date) {
        guard n > 0 else { return }
        mark += Int64(n)
        let m = Self.minute(now)
        let i = Self.slot(m)
        if minutes[i] == m || minutes[i] > m {
            counts[i] += n  // same minute, or a newer one after a clock step back: keep the larger bucket
        } else {
            minutes[i] = m
            counts[i] = n
        }
    }

    /// Takes back up to `n` sends recorded in `minute` (`minute(_:)` of their `record` time) that did not happen.
    /// Nothing when that bucket has expired or been reused: what is no longer counted cannot be given back,
    /// and a bucket that took later sends after a clock step back keeps them (conservative).
    public mutating func giveBack(_ n: Int, recordedInMinute minute: Int64) {
        guard n > 0 else { return }
        let i = Self.slot(minute)
        guard minutes[i] == minute else { return }
        let taken = min(n, counts[i])
        counts[i] -= taken
        mark -= Int64(taken)
    }

    /// Adopts SES's `SentLast24Hours` from a `GetAccount` whose call started when `mark` was read: it
    /// replaces the previous figure (SES's count falls as its old sends age out), and the sends recorded
    /// after `mark` count on top of it. A figure older than the current one is ignored.
    public mutating func seed(sentLast24Hours: Int, mark: Int64, now: Date) {
        guard sentLast24Hours >= 0 else { return }
        if let seed, seed.at > now { return }
        seed = QuotaSeed(sentLast24Hours: sentLast24Hours, mark: mark, at: now)
    }

    /// Seconds until `n` more sends fit: 0 if now, `.infinity` if `n` exceeds the whole quota.
    /// SES's figure is assumed to stay until it is 24 h old (a refresh may lower it sooner).
    public func timeUntilFree(_ n: Int = 1, now: Date) -> TimeInterval {
        if canSend(n, now: now) { return 0 }
        let oldest = Self.oldestLiveMinute(now)
        let buckets = (0..<Self.bucketCount).filter { minutes[$0] >= oldest }.map { (minute: minutes[$0], count: counts[$0]) }
        return SharedQuotaRule.retryDelay(
            n, limit: max24HourSend, buckets: buckets, reservedTotal: mark, seed: seed, now: now, cap: .infinity)
    }

    /// The bucket (Unix minute) of `date`.
    public static func minute(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(bucketSeconds)).rounded(.down))
    }

    private static func slot(_ minute: Int64) -> Int {
        Int(((minute % Int64(bucketCount)) + Int64(bucketCount)) % Int64(bucketCount))
    }
}
