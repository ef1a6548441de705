import Foundation
import SluiceCore
import Testing

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
        quota.seed(sentLast24Hours: 49_990, mark: quota.mark, now: Self.t0)
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

    @Test func givenBackSendsLeaveTheirMinute() {
        var quota = RollingQuota(max24HourSend: 3)
        let later = Self.t0.addingTimeInterval(125)
        quota.record(2, now: Self.t0.addingTimeInterval(10))
        quota.record(1, now: later)
        #expect(!quota.canSend(now: later))
        quota.giveBack(1, recordedInMinute: RollingQuota.minute(Self.t0))
        #expect(quota.usedInWindow(now: later) == 2)
        #expect(quota.canSend(now: later))
        // Never below zero: more than the minute holds takes only what it holds, other minutes keep theirs.
        quota.giveBack(5, recordedInMinute: RollingQuota.minute(Self.t0))
        #expect(quota.usedInWindow(now: later) == 1)
        #expect(quota.timeUntilFree(3, now: later) == 86_460 + 120 - 125)
    }

    @Test func givingBackToAnExpiredOrReusedMinuteTakesNothing() {
        var quota = RollingQuota(max24HourSend: 10)
        let minute = RollingQuota.minute(Self.t0)
        quota.record(1, now: Self.t0)
        // A day later the ring slot of `minute` holds a newer minute's sends: they stay counted.
        let dayLater = Self.t0.addingTimeInterval(Double(RollingQuota.bucketCount) * 60)
        quota.record(4, now: dayLater)
        quota.giveBack(4, recordedInMinute: minute)
        #expect(quota.usedInWindow(now: dayLater) == 4)
        // A minute never recorded in: nothing changes.
        quota.giveBack(1, recordedInMinute: minute + 7)
        #expect(quota.usedInWindow(now: dayLater) == 4)
    }

    @Test func sesFigureIsReplacedAtEachRefreshNotHeldForADay() {
        // A restart after a busy day: SES says 45,000 of 50,000 were sent in its last 24 h.
        var quota = RollingQuota(max24HourSend: 50_000)
        quota.seed(sentLast24Hours: 45_000, mark: quota.mark, now: Self.t0)
        #expect(quota.usedInWindow(now: Self.t0) == 45_000)
        #expect(!quota.canSend(5_001, now: Self.t0))
        quota.record(1_000, now: Self.t0.addingTimeInterval(60))
        #expect(quota.usedInWindow(now: Self.t0.addingTimeInterval(60)) == 46_000)
        // An hour later SES's old sends have aged out: its figure (which includes our 1,000) is what counts.
        let hour = Self.t0.addingTimeInterval(3600)
        quota.seed(sentLast24Hours: 20_000, mark: quota.mark, now: hour)
        #expect(quota.usedInWindow(now: hour) == 20_000)
        #expect(quota.canSend(30_000, now: hour))
        #expect(quota.timeUntilFree(30_000, now: hour) == 0)
    }

    @Test func sendsAfterTheMarkCountOnTopOfSESFigure() {
        var quota = RollingQuota(max24HourSend: 10_000)
        quota.record(100, now: Self.t0)
        let mark = quota.mark  // read before GetAccount
        quota.record(50, now: Self.t0.addingTimeInterval(1))  // sent while the call was out: not in SES's figure
        quota.seed(sentLast24Hours: 5_000, mark: mark, now: Self.t0.addingTimeInterval(2))
        #expect(quota.usedInWindow(now: Self.t0.addingTimeInterval(2)) == 5_050)
        // A give-back after the mark leaves SES's side too.
        quota.giveBack(50, recordedInMinute: RollingQuota.minute(Self.t0.addingTimeInterval(1)))
        #expect(quota.usedInWindow(now: Self.t0.addingTimeInterval(2)) == 5_000)
        // SES's figure never lowers what this instance itself recorded in the window.
        quota.seed(sentLast24Hours: 10, mark: quota.mark, now: Self.t0.addingTimeInterval(3))
        #expect(quota.usedInWindow(now: Self.t0.addingTimeInterval(3)) == 100)
        // An answer older than the figure held is ignored.
        quota.seed(sentLast24Hours: 9_000, mark: mark, now: Self.t0.addingTimeInterval(2.5))
        #expect(quota.usedInWindow(now: Self.t0.addingTimeInterval(3)) == 100)
    }

    @Test func sesFigureStopsCountingAfterADayWithoutRefresh() {
        var quota = RollingQuota(max24HourSend: 1_000)
        quota.seed(sentLast24Hours: 1_000, mark: quota.mark, now: Self.t0)
        #expect(!quota.canSend(now: Self.t0))
        #expect(quota.timeUntilFree(now: Self.t0) == 86_400)
        #expect(quota.canSend(1_000, now: Self.t0.addingTimeInterval(86_400)))
    }
}
