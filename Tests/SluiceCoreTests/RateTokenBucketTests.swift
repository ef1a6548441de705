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
            // Bounded: a bucket that never ran dry would otherwise hold this loop for good.
            for _ in 0...Int(burst) + 1 {
                guard bucket.tryTake(1, now: now) else { break }
                sends.append(ms)
            }
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
