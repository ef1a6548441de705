import Foundation
import Synchronization
import Testing
@testable import SluiceApp

/// The limiter's arithmetic on a hand-moved clock (no real waiting: `acquire` is only called when due).
struct SendRateLimiterTests {
    final class Clock: Sendable {
        private let value = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        var now: Date { value.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { value.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    private func limiter(rate: Double, daily: Double = -1, clock: Clock) -> SendRateLimiter {
        SendRateLimiter(maxSendRate: rate, max24HourSend: daily, now: { clock.now })
    }

    @Test func startsEmptyAndPacesAtTheRate() async throws {
        let clock = Clock()
        let limiter = limiter(rate: 50, clock: clock)
        #expect(abs(await limiter.waitTime(for: 1) - 0.02) < 1e-6)
        clock.advance(0.02)
        #expect(await limiter.waitTime(for: 1) == 0)
        try await limiter.acquire(1)
        #expect(await limiter.waitTime(for: 1) > 0.019)
    }

    @Test func neverMoreThanTheRateInAnyWindowEvenAfterIdling() async throws {
        let clock = Clock()
        let limiter = limiter(rate: 10, clock: clock)
        clock.advance(60)  // idle: the bucket holds at most its small burst
        var sent = 0
        var elapsed = 0.0
        // Send whenever allowed during one window length; count what got through.
        while elapsed < SendRateLimiter.windowLength - 0.001 {
            if await limiter.waitTime(for: 1) == 0 {
                try await limiter.acquire(1)
                sent += 1
            } else {
                clock.advance(0.001)
                elapsed += 0.001
            }
        }
        #expect(sent <= 10)
        #expect(sent >= 9)
    }

    @Test func throttlingHalvesTheRateAndItRecoversSlowly() async {
        let clock = Clock()
        let limiter = limiter(rate: 40, clock: clock)
        await limiter.recordThrottle()
        #expect(await limiter.currentRate == 20)
        clock.advance(60)
        let recovered = await limiter.currentRate
        #expect(recovered > 20 && recovered < 40)
        #expect(await limiter.maxRate == 40)
    }

    @Test func dailyQuotaStopsSendingBeforeItIsExceeded() async throws {
        let clock = Clock()
        let limiter = limiter(rate: 1000, daily: 3, clock: clock)
        for _ in 0..<3 {
            clock.advance(1)
            try await limiter.acquire(1)
        }
        clock.advance(1)
        #expect(await limiter.waitTime(for: 1) > 86_000)
        #expect(await limiter.usedLast24Hours() == 3)
        // GetAccount raising the limit frees it at once.
        await limiter.setLimits(maxSendRate: nil, max24HourSend: 10, sentLast24Hours: nil)
        #expect(await limiter.waitTime(for: 1) == 0)
    }

    @Test func accountLimitsAndBlocksApply() async {
        let clock = Clock()
        let limiter = limiter(rate: 1, clock: clock)
        await limiter.setLimits(maxSendRate: 200, max24HourSend: 50_000, sentLast24Hours: 100)
        #expect(await limiter.maxRate == 200)
        #expect(await limiter.currentRate == 200, "an unthrottled limiter adopts a higher account rate at once")
        #expect(await limiter.quotaLimit == 50_000)
        #expect(await limiter.usedLast24Hours() == 100)
        await limiter.block(until: clock.now.addingTimeInterval(600))
        #expect(await limiter.waitTime(for: 1) >= 599)
    }

    @Test func messageLargerThanTheBucketPaysItsRecipientsAsDebt() async throws {
        let clock = Clock()
        let limiter = limiter(rate: 10, clock: clock)
        clock.advance(5)
        try await limiter.acquire(10)  // bucket burst is 1 at 10/s; 9 recipients become debt
        #expect(await limiter.waitTime(for: 1) >= 0.89)
    }

    @Test func reservationsAreHandedOutOnTheRateScheduleWithinTheLead() async throws {
        let clock = Clock()
        let start = clock.now
        let limiter = limiter(rate: 10, clock: clock)
        var slots: [TimeInterval] = []
        for _ in 0..<5 { slots.append(try await limiter.reserve(1, lead: 0.6).timeIntervalSince(start)) }
        // The bucket starts empty: one send per 0.1 s, all reserved ahead without waiting.
        for (index, slot) in slots.enumerated() { #expect(abs(slot - 0.1 * Double(index + 1)) < 1e-6) }
        #expect(await limiter.waitTime(for: 1) > 0.5)
    }
}
