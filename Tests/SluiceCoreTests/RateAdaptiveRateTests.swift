import Foundation
import SluiceCore
import Testing

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
