import Foundation
import SluiceCore
import Testing

struct TokenBucketTests {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    /// Simulates 30 s of greedy sending at 1 ms resolution and checks every sliding 1-second window.
    @Test(arguments: [(1.0, 1.0), (14.0, 1.0), (50.0, 1.0), (0.5, 1.0), (10.0, 10.0)])
    func neverExceedsRateInAnyWindow(_ rate: Double, _ burst: Double) {
        var bucket = TokenBucket(ratePerSecond: rate, burst: burst, now: Self.t0)
        var sends: [Int] = []  // milliseconds
        for ms in 0..<30_000 {
            let now = Self.t0.addingTimeInterval(Double(ms) / 1000)
            while bucket.tryTake(1, now: now) { sends.append(ms) }
        }
        // In any window [t, t+1 s): the burst held at t plus strictly less than `rate` refilled within.
        let limit = Int((burst + rate).rounded(.up)) - 1
        var start = 0
        var worst = 0
        for end in sends.indices {
            while sends[end] - sends[start] >= 1000 { start += 1 }
            worst = max(worst, end - start + 1)
        }
        #expect(worst <= limit, "worst \(worst) for rate \(rate) burst \(burst)")
        // With burst 1 the bucket never exceeds the rate itself in any 1-second window.
        if burst == 1, rate >= 1 { #expect(worst <= Int(rate)) }
        // And it is nearly as fast as allowed: burst + rate * 30 s, less what 1 ms ticks waste.
        let expected = burst + (rate * 29.999).rounded(.down)
        #expect(Double(sends.count) <= expected + 1, "sent \(sends.count), expected ~\(expected)")
        #expect(Double(sends.count) >= expected * 0.98, "sent \(sends.count), expected ~\(expected)")
    }

    @Test func burstOneGivesStrictRate() {
        var bucket = TokenBucket(ratePerSecond: 14, burst: 1, now: Self.t0)
        var sends: [Int] = []
        for ms in 0..<30_000 where bucket.tryTake(now: Self.t0.addingTimeInterval(Double(ms) / 1000)) {
            sends.append(ms)
        }
        for i in 14..<sends.count { #expect(sends[i] - sends[i - 14] >= 1000) }
    }

    @Test func takesCountPerRecipient() {
        var bucket = TokenBucket(ratePerSecond: 10, burst: 10, now: Self.t0)
        do { let ok = bucket.tryTake(7, now: Self.t0); #expect(ok) }
        do { let ok = bucket.tryTake(4, now: Self.t0); #expect(!ok) }  // all or nothing
        do { let ok = bucket.tryTake(3, now: Self.t0); #expect(ok) }
        #expect(bucket.timeUntilAvailable(5, now: Self.t0) == 0.5)
        do { let ok = bucket.tryTake(5, now: Self.t0.addingTimeInterval(0.49)); #expect(!ok) }
        do { let ok = bucket.tryTake(5, now: Self.t0.addingTimeInterval(0.5)); #expect(ok) }
        #expect(bucket.timeUntilAvailable(11, now: Self.t0) == .infinity)
        #expect(bucket.available(now: Self.t0.addingTimeInterval(100)) == 10)
    }

    @Test func clockSteppingBackDoesNotMintTokens() {
        var bucket = TokenBucket(ratePerSecond: 1, burst: 1, now: Self.t0)
        do { let ok = bucket.tryTake(now: Self.t0); #expect(ok) }
        do { let ok = bucket.tryTake(now: Self.t0.addingTimeInterval(-100)); #expect(!ok) }
        do { let ok = bucket.tryTake(now: Self.t0.addingTimeInterval(0.5)); #expect(!ok) }
        do { let ok = bucket.tryTake(now: Self.t0.addingTimeInterval(1)); #expect(ok) }
    }

    @Test func rateChangeKeepsTokens() {
        var bucket = TokenBucket(ratePerSecond: 10, burst: 10, now: Self.t0)
        do { let ok = bucket.tryTake(10, now: Self.t0); #expect(ok) }
        bucket.setRate(1, now: Self.t0)
        #expect(bucket.timeUntilAvailable(1, now: Self.t0) == 1)
        let zero = TokenBucket(ratePerSecond: 0, burst: 0, now: Self.t0)
        #expect(zero.timeUntilAvailable(1, now: Self.t0) == .infinity)
    }
}

struct RollingQuotaTests {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_040)  // minute-aligned

    @Test func boundaryAtTwentyFourHours() {
        var quota = RollingQuota(max24HourSend: 200)
        quota.record(200, now: Self.t0)
        #expect(!quota.canSend(now: Self.t0))
        #expect(quota.usedInWindow(now: Self.t0.addingTimeInterval(86_399)) == 200)
        #expect(!quota.canSend(now: Self.t0.addingTimeInterval(86_400 - 0.001)))
        // Never freed early: still counted at exactly 24 h (bucket granularity errs on the safe side)...
        #expect(!quota.canSend(now: Self.t0.addingTimeInterval(86_400)))
        #expect(quota.timeUntilFree(now: Self.t0) == 86_460)
        // ...and freed within one minute after.
        #expect(quota.canSend(200, now: Self.t0.addingTimeInterval(86_460)))
        #expect(quota.usedInWindow(now: Self.t0.addingTimeInterval(86_460)) == 0)
    }

    @Test func sendLateInAMinuteIsNeverFreedEarly() {
        var quota = RollingQuota(max24HourSend: 1)
        let late = Self.t0.addingTimeInterval(59.9)
        quota.record(now: late)
        #expect(!quota.canSend(now: late.addingTimeInterval(86_400)))
        let wait = quota.timeUntilFree(now: late)
        #expect(wait >= 86_400 && wait <= 86_460)
        #expect(quota.canSend(now: late.addingTimeInterval(wait)))
    }

    @Test func rollingWindowFreesOldestFirst() {
        var quota = RollingQuota(max24HourSend: 10)
        for hour in 0..<10 { quota.record(now: Self.t0.addingTimeInterval(Double(hour) * 3600)) }
        let now = Self.t0.addingTimeInterval(20 * 3600)
        #expect(quota.usedInWindow(now: now) == 10)
        #expect(quota.timeUntilFree(1, now: now) == 4 * 3600 + 60)
        #expect(quota.timeUntilFree(3, now: now) == 6 * 3600 + 60)
        #expect(quota.timeUntilFree(11, now: now) == .infinity)
        #expect(quota.usedInWindow(now: now.addingTimeInterval(4 * 3600 + 60)) == 9)
    }

    @Test func unlimitedAndSeed() {
        var unlimited = RollingQuota(max24HourSend: -1)
        unlimited.record(1_000_000, now: Self.t0)
        #expect(unlimited.canSend(1_000_000, now: Self.t0))
        #expect(unlimited.timeUntilFree(now: Self.t0) == 0)
        var quota = RollingQuota(max24HourSend: 50_000)
        quota.seed(sentLast24Hours: 49_990, now: Self.t0)
        #expect(quota.canSend(10, now: Self.t0))
        #expect(!quota.canSend(11, now: Self.t0))
        quota.setLimit(100_000)
        #expect(quota.canSend(11, now: Self.t0))
    }

    @Test func manyBucketsWrapTheRing() {
        var quota = RollingQuota(max24HourSend: 1_000_000)
        // Three days, one send per minute: the window always holds exactly 1441 minutes' worth.
        for minute in 0..<(3 * 1440) { quota.record(now: Self.t0.addingTimeInterval(Double(minute) * 60)) }
        #expect(quota.usedInWindow(now: Self.t0.addingTimeInterval(Double(3 * 1440 - 1) * 60)) == 1441)
    }
}

struct AdaptiveRateTests {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func halvesOnThrottleAndRecoversSlowly() {
        var rate = AdaptiveRate(maxRate: 14, now: Self.t0)
        #expect(rate.rate(now: Self.t0) == 14)
        rate.recordThrottle(now: Self.t0)
        #expect(rate.rate(now: Self.t0) == 7)
        rate.recordThrottle(now: Self.t0.addingTimeInterval(0.5))  // within cooldown: same burst of failures
        #expect(rate.rate(now: Self.t0.addingTimeInterval(0.5)) > 7)
        let t2 = Self.t0.addingTimeInterval(2)
        rate.recordThrottle(now: t2)
        #expect(abs(rate.rate(now: t2) - (7 + 14 * 0.05 * 2 / 60) / 2) < 1e-9)
        // +5 % of max per minute: from ~3.5 back to 14 takes ~15 minutes, capped at max.
        #expect(abs(rate.rate(now: t2.addingTimeInterval(60)) - (rate.rate(now: t2) + 0.7)) < 1e-9)
        #expect(rate.rate(now: t2.addingTimeInterval(3600)) == 14)
    }

    @Test func floorsAtMinimum() {
        var rate = AdaptiveRate(maxRate: 14, now: Self.t0)
        for i in 0..<20 { rate.recordThrottle(now: Self.t0.addingTimeInterval(Double(i) * 2)) }
        #expect(abs(rate.rate(now: Self.t0.addingTimeInterval(38)) - 1.4) < 1e-9)
        var sandbox = AdaptiveRate(maxRate: 1, now: Self.t0)
        for i in 0..<20 { sandbox.recordThrottle(now: Self.t0.addingTimeInterval(Double(i) * 2)) }
        #expect(abs(sandbox.rate(now: Self.t0.addingTimeInterval(38)) - 0.1) < 1e-9)
        #expect(sandbox.minimumRate == 0.1)
    }

    @Test func adoptsNewMaximum() {
        var rate = AdaptiveRate(maxRate: 14, now: Self.t0)
        rate.setMaxRate(5, now: Self.t0)
        #expect(rate.rate(now: Self.t0) == 5)
        rate.setMaxRate(50, now: Self.t0)
        #expect(rate.rate(now: Self.t0) == 5)  // grows back gradually
        #expect(rate.rate(now: Self.t0.addingTimeInterval(60)) == 7.5)
    }
}

struct BackoffTests {
    @Test(arguments: 0..<12)
    func delaysStayWithinBounds(_ attempt: Int) {
        let backoff = Backoff(base: 0.5, cap: 30)
        let ceiling = min(30, 0.5 * pow(2, Double(attempt)))
        #expect(backoff.ceiling(attempt: attempt) == ceiling)
        for r in [0.0, 0.25, 0.5, 0.999999] {
            let d = backoff.delay(attempt: attempt, random: r)
            #expect(d >= 0 && d < ceiling + 1e-12)
            #expect(d == r * ceiling)
        }
    }

    @Test func extremeInputsAreClamped() {
        let backoff = Backoff(base: 1, cap: 20, maxRetries: 3)
        #expect(backoff.delay(attempt: 10_000, random: 0.5) == 10)
        #expect(backoff.delay(attempt: -5, random: 0.5) == 0.5)
        #expect(backoff.delay(attempt: 3, random: 7) == 8)
        #expect(backoff.delay(attempt: 3, random: -1) == 0)
        #expect(backoff.allowsRetry(attempt: 2))
        #expect(!backoff.allowsRetry(attempt: 3))
    }
}

struct RetryClassifierTests {
    @Test(arguments: [
        (429, "TooManyRequestsException", "Maximum sending rate exceeded.", RetryDecision.throttled),
        (429, nil, nil, .throttled),
        (400, "Throttling", "Maximum sending rate exceeded.", .throttled),
        (400, "ThrottlingException", nil, .throttled),
        (400, "TooManyRequestsException:http://internal.amazon.com/coral/com.amazon.coral.service/", nil, .throttled),
        (400, "com.amazonaws.ses#ThrottlingException", nil, .throttled),
        (400, "Throttling", "Daily message quota exceeded.", .dailyQuotaExceeded),
        (500, nil, nil, .retryable),
        (502, "InternalFailure", nil, .retryable),
        (503, "ServiceUnavailable", nil, .retryable),
        (504, nil, nil, .retryable),
        (408, "RequestTimeout", nil, .retryable),
        (400, "RequestTimeoutException", nil, .retryable),
        (400, "MessageRejected", "Email address is not verified.", .permanent),
        (400, "MailFromDomainNotVerifiedException", nil, .permanent),
        (400, "BadRequestException", nil, .permanent),
        (404, "NotFoundException", nil, .permanent),
        (400, "ConfigurationSetDoesNotExist", nil, .permanent),
        (400, "LimitExceededException", nil, .permanent),
        (403, "AccessDeniedException", nil, .permanent),
        (400, "AccountSuspendedException", nil, .pauseSending),
        (400, "SendingPausedException", nil, .pauseSending),
        (400, "AccountSendingPausedException", nil, .pauseSending),
        (400, "ConfigurationSetSendingPausedException", nil, .pauseSending),
    ] as [(Int, String?, String?, RetryDecision)])
    func classifiesSESErrors(_ status: Int, _ type: String?, _ message: String?, _ expected: RetryDecision) {
        #expect(RetryClassifier.classify(status: status, errorType: type, message: message) == expected)
    }

    @Test func networkErrorsAreRetryable() {
        #expect(RetryClassifier.classify(status: nil, errorType: nil) == .retryable)
        #expect(RetryDecision.throttled.isRetryable)
        #expect(!RetryDecision.dailyQuotaExceeded.isRetryable)
        #expect(!RetryDecision.pauseSending.isRetryable)
    }
}
