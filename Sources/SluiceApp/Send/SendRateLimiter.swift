import Foundation
import SluiceCore

/// Paces SES calls by recipients: a token bucket at the adaptive rate, a hard cap of `rate` per rolling
/// second (`SendWindow`), and the rolling 24-hour quota. Callers `acquire` before each call.
actor SendRateLimiter {
    /// The smoothing bucket holds this many seconds of tokens (absorbs scheduling lateness).
    static let burstSeconds = 0.1
    /// The cap window is slightly longer than a second so network jitter cannot squeeze rate+1 sends
    /// into a second as SES measures it.
    static let windowLength: TimeInterval = 1.01
    /// Longest single sleep; limits are re-read after it.
    static let maxSleep: TimeInterval = 1

    private var adaptive: AdaptiveRate
    private var bucket: TokenBucket
    private var window = SendWindow(length: SendRateLimiter.windowLength)
    private var quota: RollingQuota
    /// No sending before this (daily quota hit, or the debt of a message larger than the bucket).
    private var notBefore: Date
    private let now: @Sendable () -> Date

    init(maxSendRate: Double, max24HourSend: Double, now: @escaping @Sendable () -> Date) {
        let t = now()
        self.now = now
        adaptive = AdaptiveRate(maxRate: max(0.01, maxSendRate), now: t)
        bucket = Self.emptyBucket(rate: max(0.01, maxSendRate), now: t)
        quota = RollingQuota(max24HourSend: max24HourSend)
        notBefore = t
    }

    /// The rate in use now (recipients per second).
    var currentRate: Double { adaptive.rate(now: now()) }
    var maxRate: Double { adaptive.maxRate }
    var quotaLimit: Double { quota.max24HourSend }
    func usedLast24Hours() -> Int { quota.usedInWindow(now: now()) }

    /// Adopts limits from `GetAccount` or configuration; `sentLast24Hours` seeds the rolling count.
    func setLimits(maxSendRate: Double?, max24HourSend: Double?, sentLast24Hours: Double?) {
        let t = now()
        if let maxSendRate, maxSendRate > 0, maxSendRate != adaptive.maxRate {
            if adaptive.rate(now: t) >= adaptive.maxRate * 0.999 {
                // Not throttled: take the new maximum at once (AdaptiveRate.setMaxRate would climb to it slowly).
                adaptive = AdaptiveRate(maxRate: maxSendRate, now: t)
            } else {
                adaptive.setMaxRate(maxSendRate, now: t)
            }
            bucket.setRate(adaptive.rate(now: t), burst: Self.burst(for: maxSendRate), now: t)
        }
        if let max24HourSend { quota.setLimit(max24HourSend) }
        if let sentLast24Hours, sentLast24Hours > 0 { quota.seed(sentLast24Hours: Int(sentLast24Hours), now: t) }
    }

    /// SES said "slow down": halve the rate (AIMD; it recovers over minutes).
    func recordThrottle() {
        let t = now()
        adaptive.recordThrottle(now: t)
        bucket.setRate(adaptive.rate(now: t), now: t)
    }

    /// Stops all sending until `date` (daily quota used up per SES).
    func block(until date: Date) {
        notBefore = max(notBefore, date)
    }

    /// Waits until `recipients` more may be sent, then counts them. Throws `CancellationError`.
    func acquire(_ recipients: Int) async throws {
        let n = max(1, recipients)
        while true {
            try Task.checkCancellation()
            let t = now()
            let wait = delay(for: n, at: t)
            if wait <= 0 {
                take(n, at: t)
                return
            }
            try await Task.sleep(for: .seconds(min(wait, Self.maxSleep)))
        }
    }

    /// Seconds until `recipients` more fit every limit now (0 = at once).
    func waitTime(for recipients: Int) -> TimeInterval { delay(for: max(1, recipients), at: now()) }

    /// Seconds until `n` fit every limit (0 = now).
    private func delay(for n: Int, at t: Date) -> TimeInterval {
        if notBefore > t { return notBefore.timeIntervalSince(t) }
        let rate = adaptive.rate(now: t)
        if abs(bucket.ratePerSecond - rate) > rate * 0.01 { bucket.setRate(rate, now: t) }
        let fromQuota = quota.timeUntilFree(n, now: t)
        if fromQuota > 0 { return fromQuota.isFinite ? fromQuota : Self.maxSleep * 60 }
        // A message larger than the bucket waits for a full bucket and pays the rest as debt (notBefore).
        let tokens = min(Double(n), bucket.burst)
        let fromBucket = bucket.timeUntilAvailable(tokens, now: t)
        let cap = max(1, Int(adaptive.maxRate.rounded(.down)))
        let fromWindow = window.timeUntilFree(min(n, cap), limit: cap, now: t)
        return max(fromBucket.isFinite ? fromBucket : Self.maxSleep, fromWindow.isFinite ? fromWindow : Self.maxSleep)
    }

    private func take(_ n: Int, at t: Date) {
        let tokens = min(Double(n), bucket.burst)
        _ = bucket.tryTake(tokens, now: t)
        let rate = max(0.01, adaptive.rate(now: t))
        if Double(n) > tokens { notBefore = max(notBefore, t.addingTimeInterval((Double(n) - tokens) / rate)) }
        window.record(n, now: t)
        quota.record(n, now: t)
    }

    static func burst(for rate: Double) -> Double { max(1, rate * burstSeconds) }

    /// A bucket that starts empty: no initial burst on top of the first second's rate.
    private static func emptyBucket(rate: Double, now: Date) -> TokenBucket {
        var bucket = TokenBucket(ratePerSecond: rate, burst: burst(for: rate), now: now)
        _ = bucket.tryTake(bucket.burst, now: now)
        return bucket
    }
}
