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
        /// Steps the clock back, as an NTP correction or an operator might.
        func stepBack(_ seconds: TimeInterval) { advance(-seconds) }
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
        // Send whenever allowed during one window length; count what got through. Bounded: a limiter that
        // always said "now" would otherwise never let the clock move.
        for _ in 0..<10_000 where elapsed < SendRateLimiter.windowLength - 0.001 {
            if await limiter.waitTime(for: 1) == 0 {
                try await limiter.acquire(1)
                sent += 1
            } else {
                clock.advance(0.001)
                elapsed += 0.001
            }
        }
        #expect(elapsed >= SendRateLimiter.windowLength - 0.001, "the loop bound was reached after \(sent) sends")
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

    @Test func aRestartAfterABusyDayIsNotHeldToItForAnotherDay() async throws {
        let clock = Clock()
        let limiter = limiter(rate: 1000, daily: 50_000, clock: clock)
        // First GetAccount after a restart: 49,990 sent in SES's last 24 h.
        await limiter.setLimits(maxSendRate: nil, max24HourSend: nil, sentLast24Hours: 49_990, quotaMark: await limiter.quotaMark())
        #expect(await limiter.waitTime(for: 11) > 3600)
        clock.advance(1)
        try await limiter.acquire(10)
        // An hour later SES's figure has fallen as its old sends aged out (and includes our 10).
        clock.advance(3600)
        await limiter.setLimits(maxSendRate: nil, max24HourSend: nil, sentLast24Hours: 12_000, quotaMark: await limiter.quotaMark())
        #expect(await limiter.usedLast24Hours() == 12_000)
        #expect(await limiter.waitTime(for: 1) < 1)
        try await limiter.acquire(5)
        #expect(await limiter.usedLast24Hours() == 12_005)
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
        for _ in 0..<5 { slots.append(try await limiter.reserve(1, lead: 0.6).start.timeIntervalSince(start)) }
        // The bucket starts empty: one send per 0.1 s, all reserved ahead without waiting.
        for (index, slot) in slots.enumerated() { #expect(abs(slot - 0.1 * Double(index + 1)) < 1e-6) }
        #expect(await limiter.waitTime(for: 1) > 0.5)
    }

    @Test func aClockSteppedBackDoesNotHoldTheNextReservation() async throws {
        let clock = Clock()
        let limiter = limiter(rate: 10, clock: clock)
        clock.advance(0.1)
        let first = try await limiter.reserve(1)
        #expect(first.start == clock.now)
        clock.stepBack(600)
        // The rate still holds across the step (one send per 0.1 s), but not the 600 s of the step.
        #expect(abs(await limiter.waitTime(for: 1) - 0.1) < 1e-6)
        clock.advance(0.1)
        // Checked before reserving: without the fix `reserve` would sleep out the 600 s.
        try #require(await limiter.waitTime(for: 1) == 0)
        let second = try await limiter.reserve(1)
        #expect(second.start == clock.now, "the reserved time is wall-clock: the caller sleeps until it")
        #expect(abs(await limiter.waitTime(for: 1) - 0.1) < 1e-6)
    }

    @Test func aClockSteppedBackNeitherStallsRecoveryNorShortensABlock() async throws {
        let clock = Clock()
        let limiter = limiter(rate: 40, clock: clock)
        await limiter.recordThrottle()
        clock.stepBack(600)
        #expect(await limiter.currentRate == 20)  // the limiter sees the step (time passing unseen is part of it)
        clock.advance(60)
        let recovered = await limiter.currentRate
        #expect(recovered > 20 && recovered < 40, "recovery goes on with time passing, whatever the wall clock says")
        // A block is a wall-clock deadline: 600 s from the (stepped) clock's now.
        await limiter.block(until: clock.now.addingTimeInterval(600))
        #expect(abs(await limiter.waitTime(for: 1) - 600) < 1e-3)
    }

    @Test func aGivenBackReservationFreesTheDailyQuota() async throws {
        let clock = Clock()
        let limiter = limiter(rate: 1000, daily: 3, clock: clock)
        clock.advance(1)
        let refused = try await limiter.reserve(2)
        clock.advance(1)
        try await limiter.acquire(1)
        clock.advance(1)
        #expect(await limiter.waitTime(for: 1) > 86_000)
        // One of the two was dropped at the claim, then SES refused the other.
        let kept = await limiter.giveBack(refused, keeping: 1)
        #expect(kept.recipients == 1)
        #expect(await limiter.usedLast24Hours() == 2)
        await limiter.giveBack(kept, keeping: 0)
        #expect(await limiter.usedLast24Hours() == 1)
        #expect(await limiter.waitTime(for: 2) == 0)
    }

    @Test func aSharedQuotaCountsNothingToGiveBack() async throws {
        let clock = Clock()
        let limiter = SendRateLimiter(maxSendRate: 1000, max24HourSend: 3, sharedQuota: true, now: { clock.now })
        clock.advance(1)
        let reservation = try await limiter.reserve(2)
        #expect(reservation.recipients == 0)
        #expect(await limiter.usedLast24Hours() == 0)
    }
}
