import Foundation
import SluiceCore

/// Paces SES calls by recipients: a token bucket at the adaptive rate, a hard cap of `rate` per rolling
/// second (`SendWindow`), and the rolling 24-hour quota (unless the store shares one across instances:
/// `sharedQuota`). Callers `reserve` (or `acquire`) before each call, and give back the quota of recipients
/// that were not sent (`giveBack(_:keeping:)`): claim lost or suppressed, or SES refused the call.
///
/// Time: every limit runs on `SteadyTime`, the injected wall clock made never to run backwards, so a step
/// back of the system clock neither stops sending for the length of the step nor stalls the bucket's refill
/// or the rate's recovery after a throttle. Dates in and out (`reserve`, `block(until:)`) are wall-clock.
/// A step forward looks like time passing: the bucket refills at most its burst, the cap window forgets
/// up to one second of sends, and the daily count forgets sends up to the step early; SES's
/// `SentLast24Hours` at the next `GetAccount` (`setLimits`) tops the count up again, and SES's own quota
/// refusal holds sending (`block(until:)`) meanwhile.
actor SendRateLimiter {
    /// A reserved send: when it may leave, and what it counted in the local daily quota.
    struct Reservation: Sendable {
        /// When the call may leave (wall clock).
        let start: Date
        /// Recipients counted in the local daily quota (0 when the quota is the store's shared ledger).
        let recipients: Int
        /// The quota bucket (`RollingQuota.minute`, steady time) they were counted in.
        let quotaMinute: Int64
    }

    /// A message with more recipients than the whole daily quota allows: no wait would ever make room.
    struct ExceedsDailyQuota: Error, Sendable, CustomStringConvertible {
        let recipients: Int
        let limit: Double
        var description: String {
            "\(recipients) recipients, more than the whole daily quota of \(Int(limit)) (ses.max_24h_send or SES's Max24HourSend)"
        }
    }

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
    /// The injected wall clock; read only through `steadyNow()`.
    private let wallClock: @Sendable () -> Date
    /// Steady time (never backwards) for every date kept here; wall-clock only at the boundary.
    private var time: SteadyTime
    /// Per-ISP pacing: recipients sent per domain group (`PacingGate`) in the rolling window.
    private var groupWindows: [Int: SendWindow] = [:]

    /// - Parameter sharedQuota: the daily quota is kept by a shared ledger; `quotaLimit` still carries its limit.
    init(maxSendRate: Double, max24HourSend: Double, sharedQuota: Bool = false, now: @escaping @Sendable () -> Date) {
        var time = SteadyTime()
        let t = time.reading(wall: now())
        self.time = time
        localQuota = !sharedQuota
        wallClock = now
        adaptive = AdaptiveRate(maxRate: max(0.01, maxSendRate), now: t)
        bucket = Self.emptyBucket(rate: max(0.01, maxSendRate), now: t)
        quota = RollingQuota(max24HourSend: max24HourSend)
        notBefore = t
        lastSlot = t
    }

    /// The rate in use now (recipients per second).
    var currentRate: Double { adaptive.rate(now: steadyNow()) }
    var maxRate: Double { adaptive.maxRate }
    var quotaLimit: Double { quota.max24HourSend }
    func usedLast24Hours() -> Int { quota.usedInWindow(now: steadyNow()) }

    /// The local daily count's running total: read it just before `GetAccount`, and hand it back with the
    /// answer's `SentLast24Hours` (`setLimits`), so sends made while the call was out count on top of SES's figure.
    func quotaMark() -> Int64 { quota.mark }

    /// Adopts limits from `GetAccount` or configuration. `sentLast24Hours` (with the `quotaMark()` read before
    /// the call) replaces SES's previous figure in the rolling count (`RollingQuota.seed`).
    func setLimits(maxSendRate: Double?, max24HourSend: Double?, sentLast24Hours: Double?, quotaMark: Int64? = nil) {
        let t = steadyNow()
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
        if localQuota, let sentLast24Hours, sentLast24Hours.isFinite, sentLast24Hours >= 0 {
            // Without a mark, SES's figure is taken to cover every send recorded so far (the recorded ones
            // still count through the buckets).
            quota.seed(sentLast24Hours: Int(sentLast24Hours), mark: quotaMark ?? quota.mark, now: t)
        }
    }

    /// SES said "slow down": halve the rate (AIMD; it recovers over minutes).
    func recordThrottle() {
        let t = steadyNow()
        adaptive.recordThrottle(now: t)
        bucket.setRate(adaptive.rate(now: t), now: t)
    }

    /// Stops all sending until wall-clock `date` (daily quota used up per SES or per the shared ledger).
    func block(until date: Date) {
        _ = steadyNow()  // brings the offset up to date for the conversion
        notBefore = max(notBefore, time.steady(date))
    }

    /// Gives back the daily quota `reservation` counted beyond `kept` recipients (a claim that came to
    /// nothing or dropped suppressed recipients, a call SES refused); returns what stays counted.
    /// The rate limits stay charged: the slot was used (or SES saw the call).
    @discardableResult
    func giveBack(_ reservation: Reservation, keeping kept: Int) -> Reservation {
        let kept = min(max(0, kept), reservation.recipients)
        quota.giveBack(reservation.recipients - kept, recordedInMinute: reservation.quotaMinute)
        return Reservation(start: reservation.start, recipients: kept, quotaMinute: reservation.quotaMinute)
    }

    /// Reserves the send time for `recipients`: waits until that time is at most `lead` seconds away and
    /// returns it (`Reservation.start`, wall clock). The caller prepares (reads, claim commit) and then calls
    /// SES at that time, so store latency between the reservation and the call does not bunch calls together.
    /// Throws `CancellationError` (nothing is counted then), or `ExceedsDailyQuota` when `recipients` exceed the
    /// daily quota itself (checked again after each wait: `GetAccount` may lower it meanwhile).
    /// - Parameter groups: per-ISP demand (group index → recipients, cap per rolling second). A slot that
    ///   would exceed a group's cap is not taken: the caller waits and others keep the slot (no head-of-line).
    func reserve(_ recipients: Int, lead: TimeInterval = 0, groups: [Int: (n: Int, cap: Int)] = [:]) async throws -> Reservation {
        let n = max(1, recipients)
        while true {
            try Task.checkCancellation()
            // A quota of 0 (SES's for an account that may not send) still waits: with it every message would fail.
            if quota.max24HourSend >= 1, Double(n) > quota.max24HourSend { throw ExceedsDailyQuota(recipients: n, limit: quota.max24HourSend) }
            let t = steadyNow()
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
                return Reservation(start: time.wall(slot), recipients: localQuota ? n : 0, quotaMinute: RollingQuota.minute(slot))
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
        let t = steadyNow()
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

    /// The injected wall clock as steady time (a step back is absorbed, see the type's comment).
    private func steadyNow() -> Date { time.reading(wall: wallClock()) }

    static func burst(for rate: Double) -> Double { max(1, rate * burstSeconds) }

    /// A bucket that starts empty: no initial burst on top of the first second's rate.
    private static func emptyBucket(rate: Double, now: Date) -> TokenBucket {
        var bucket = TokenBucket(ratePerSecond: rate, burst: burst(for: rate), now: now)
        _ = bucket.tryTake(bucket.burst, now: now)
        return bucket
    }
}
