import Foundation

/// A rolling 24-hour send count in one-minute buckets (SES `Max24HourSend`; -1 = unlimited).
///
/// Conservative by construction: a send recorded in minute m stays counted until the end of minute
/// m + 1440, i.e. for 24 h plus up to one minute, never less.
public struct RollingQuota: Sendable, Equatable {
    /// Seconds per bucket.
    public static let bucketSeconds: Int64 = 60
    /// 1440 minutes in 24 h, plus the partial minute a send was recorded in.
    public static let bucketCount = 1441

    /// Sends allowed per rolling 24 h; negative = unlimited.
    public private(set) var max24HourSend: Double
    private var minutes: [Int64]
    private var counts: [Int]

    public init(max24HourSend: Double) {
        self.max24HourSend = max24HourSend
        minutes = Array(repeating: Int64.min, count: Self.bucketCount)
        counts = Array(repeating: 0, count: Self.bucketCount)
    }

    public var isUnlimited: Bool { max24HourSend < 0 }

    /// Updates the limit (e.g. after `GetAccount`), keeping recorded sends.
    public mutating func setLimit(_ max24HourSend: Double) { self.max24HourSend = max24HourSend }

    /// Sends counted in the window ending at `now`.
    public func usedInWindow(now: Date) -> Int {
        let current = Self.minute(now)
        var total = 0
        // Buckets from a later minute (clock stepped back) still count: conservative.
        for i in 0..<Self.bucketCount where minutes[i] > current - Int64(Self.bucketCount) {
            total += counts[i]
        }
        return total
    }

    /// Whether `n` more sends fit in the window at `now`.
    public func canSend(_ n: Int = 1, now: Date) -> Bool {
        isUnlimited || Double(usedInWindow(now: now) + n) <= max24HourSend
    }

    /// Records `n` sends at `now`.
    public mutating func record(_ n: Int = 1, now: Date) {
        guard n > 0 else { return }
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
        counts[i] = max(0, counts[i] - n)
    }

    /// Seeds the window from `SentLast24Hours` at startup (counted as sent now: conservative).
    public mutating func seed(sentLast24Hours: Int, now: Date) {
        record(sentLast24Hours - usedInWindow(now: now), now: now)
    }

    /// Seconds until `n` more sends fit: 0 if now, `.infinity` if `n` exceeds the whole quota.
    public func timeUntilFree(_ n: Int = 1, now: Date) -> TimeInterval {
        if canSend(n, now: now) { return 0 }
        guard Double(n) <= max24HourSend else { return .infinity }
        let current = Self.minute(now)
        let live = (0..<Self.bucketCount)
            .filter { minutes[$0] > current - Int64(Self.bucketCount) && counts[$0] > 0 }
            .sorted { minutes[$0] < minutes[$1] }
        var used = usedInWindow(now: now)
        for i in live {
            used -= counts[i]
            if Double(used + n) <= max24HourSend {
                let expiry = (minutes[i] + Int64(Self.bucketCount)) * Self.bucketSeconds
                return max(0, Double(expiry) - now.timeIntervalSince1970)
            }
        }
        return .infinity
    }

    /// The bucket (Unix minute) of `date`.
    public static func minute(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(bucketSeconds)).rounded(.down))
    }

    private static func slot(_ minute: Int64) -> Int {
        Int(((minute % Int64(bucketCount)) + Int64(bucketCount)) % Int64(bucketCount))
    }
}
