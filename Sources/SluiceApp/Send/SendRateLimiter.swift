import Foundation
import SluiceCore

/// Paces SES calls by recipients: a token bucket at the adaptive rate, a hard cap of `rate` per rolling
/// second (`SendWindow`), and the rolling 24-hour quota (unless the store shares one across instances:
/// `sharedQuota`). Callers `acquire` before each call.
actor SendRateLimiter {
    /// The smoothing bucket holds this many seconds of tokens (absorbs scheduling lateness).
    static let burstSeconds = 0.1
    /// The cap window is slightly longer than a second so network jitter cannot squeeze rate+1 sends
    /// into a second as SES measures it.
    static let windowLength: TimeInterval = 1.02
    /// Longest single sleep; limits are re-read after it.
    static let maxSleep: TimeInterval = 1

    private var adaptive: AdaptiveRate
    private var bucket: TokenBucket
    private var window = SendWindow(length: SendRateLimiter.windowLength)
    private var quota: RollingQuota
    /// False when the daily quota is the store's shared ledger (`SharedSendBudget`): the local count would
    /// only see this instance's sends.
    private let localQuota: Bool
    /// No sending before this (daily quota hit, or the debt of a message larger than the bucket).
    private var notBefore: Date
    /// The latest reserved send time.
    private var lastSlot: Date
    private let now: @Sendable () -> Date
    /// Per-ISP pacing: recipients sent per domain group (`PacingGate`) in the rolling window.
    private var groupWindows: [Int: SendWindow] = [:]

    /// - Parameter sharedQuota: the daily quota is kept by a shared ledger; `quotaLimit` still carries its limit.
    init(maxSendRate: Double, max24HourSend: Double, sharedQuota: Bool = false, now: @escaping @Sendable () -> Date) {
        let t = now()
        localQuota = !sharedQuota
        self.now = now
        adaptive = AdaptiveRate(maxRate: max(0.01, maxSendRate), now: t)
        bucket = Self.emptyBucket(rate: max(0.01, maxSendRate), now: t)
        quota = RollingQuota(max24HourSend: max24HourSend)
        notBefore = t
        lastSlot = t
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
        if localQuota, let sentLast24Hours, sentLast24Hours > 0 { quota.seed(sentLast24Hours: Int(sentLast24Hours), now: t) }
    }

    /// SES said "slow down": halve the rate (AIMD; it recovers over minutes).
    func recordThrottle() {
        let t = now()
        adaptive.recordThrottle(now: t)
        bucket.setRate(adaptive.rate(now: t), now: t)
    }

    /// Stops all sending until `date` (daily quota used up per SES or per the shared ledger).
    func block(until date: Date) {
        notBefore = max(notBefore, date)
    }

    /// Reserves the send time for `recipients`: waits until that time is at most `lead` seconds away and
    /// returns it. The caller prepares (reads, claim commit) and then calls SES at the returned time, so store
    /// latency between the reservation and the call does not bunch calls together. Throws `CancellationError`.
    /// - Parameter groups: per-ISP demand (group index → recipients, cap per rolling second). A slot that
    ///   would exceed a group's cap is not taken: the caller waits and others keep the slot (no head-of-line).
    func reserve(_ recipients: Int, lead: TimeInterval = 0, groups: [Int: (n: Int, cap: Int)] = [:]) async throws -> Date {
        let n = max(1, recipients)
        while true {
            try Task.checkCancellation()
            let t = now()
            let slot = earliestSlot(for: n, from: max(t, lastSlot, notBefore))
            let ahead = slot.timeIntervalSince(t)
            if ahead <= lead {
                let groupWait = groups.map { g in
                    groupWindows[g.key, default: SendWindow(length: Self.windowLength)].timeUntilFree(min(g.value.n, g.value.cap), limit: g.value.cap, now: slot)
                }.max() ?? 0
                if groupWait > 0 {
                    try await Task.sleep(for: .seconds(min(max(groupWait, 0.005), Self.maxSleep)))
                    continue
                }
                take(n, at: slot)
                for (g, demand) in groups { groupWindows[g, default: SendWindow(length: Self.windowLength)].record(demand.n, now: slot) }
                return slot
            }
            try await Task.sleep(for: .seconds(min(ahead - lead, Self.maxSleep)))
        }
    }

    /// Waits until `recipients` more may be sent now, then counts them.
    func acquire(_ recipients: Int) async throws {
        _ = try await reserve(recipients, lead: 0)
    }

    /// Seconds until `recipients` more fit every limit (0 = at once).
    func waitTime(for recipients: Int) -> TimeInterval {
        let t = now()
        return max(0, earliestSlot(for: max(1, recipients), from: max(t, lastSlot, notBefore)).timeIntervalSince(t))
    }

    /// The first time at or after `start` when `n` fit the bucket, the window and the daily quota.
    /// Reservations are handed out in time order, so every limit sees a non-decreasing clock.
    private func earliestSlot(for n: Int, from start: Date) -> Date {
        var slot = start
        let rate = adaptive.rate(now: start)
        if abs(bucket.ratePerSecond - rate) > rate * 0.01 { bucket.setRate(rate, now: start) }
        let cap = max(1, Int(adaptive.maxRate.rounded(.down)))
        let tokens = min(Double(n), bucket.burst)
        for _ in 0..<16 {
            let fromQuota = localQuota ? quota.timeUntilFree(n, now: slot) : 0
            let fromBucket = bucket.timeUntilAvailable(tokens, now: slot)
            let fromWindow = window.timeUntilFree(min(n, cap), limit: cap, now: slot)
            let wait = max(fromQuota, fromBucket, fromWindow)
            if wait <= 0 { return slot }
            // An unsatisfiable daily quota is re-checked later (GetAccount may raise it).
            slot = slot.addingTimeInterval(wait.isFinite ? wait : Self.maxSleep * 60)
        }
        return slot
    }

    private func take(_ n: Int, at t: Date) {
        let tokens = min(Double(n), bucket.burst)
        _ = bucket.tryTake(tokens, now: t)
        let rate = max(0.01, adaptive.rate(now: t))
        lastSlot = t
        // A message larger than the bucket pays the rest as debt.
        if Double(n) > tokens { notBefore = max(notBefore, t.addingTimeInterval((Double(n) - tokens) / rate)) }
        window.record(n, now: t)
        if localQuota { quota.record(n, now: t) }
    }

    static func burst(for rate: Double) -> Double { max(1, rate * burstSeconds) }

    /// A bucket that starts empty: no initial burst on top of the first second's rate.
    private static func emptyBucket(rate: Double, now: Date) -> TokenBucket {
        var bucket = TokenBucket(ratePerSecond: rate, burst: burst(for: rate), now: now)
        _ = bucket.tryTake(bucket.burst, now: now)
        return bucket
    }
}
