import Foundation
import Testing
import SluiceCore

struct PacingTests {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    @Test(arguments: [
        ("gmail.com+googlemail.com=10", "gmail.com", ["gmail.com", "googlemail.com"], 10.0),
        ("gmail:gmail.com+GoogleMail.com=2.5", "gmail", ["gmail.com", "googlemail.com"], 2.5),
        ("yahoo:yahoo.com+aol.com = 5", "yahoo", ["yahoo.com", "aol.com"], 5.0),
    ])
    func parsesDomainGroups(text: String, name: String, domains: [String], rate: Double) throws {
        let group = try #require(DomainGroup(parsing: text))
        #expect(group.name == name)
        #expect(group.domains == domains)
        #expect(group.ratePerSecond == rate)
    }

    @Test(arguments: ["gmail.com", "gmail.com=0", "gmail.com=-1", "=5", ":gmail.com=5", "a@gmail.com=5", "gmail.com=x"])
    func rejectsBadGroups(text: String) {
        #expect(DomainGroup(parsing: text) == nil)
    }

    @Test func groupsSpaceSendsAtTheirRateAndLeaveOthersAlone() {
        var pacer = GroupPacer(groups: [DomainGroup(name: "gmail", domains: ["gmail.com", "googlemail.com"], ratePerSecond: 10)], now: Self.t0)
        #expect(pacer.demand(of: ["a@gmail.com", "b@GoogleMail.com", "c@yahoo.com"]) == [0: 2])
        #expect(pacer.demand(of: ["c@yahoo.com"]).isEmpty)
        var times: [Date] = []
        for _ in 0..<25 { times.append(pacer.reserve([0: 1], earliest: Self.t0)) }
        // Table: the k-th gmail message leaves at k/10 s.
        for (k, time) in times.enumerated() { #expect(abs(time.timeIntervalSince(Self.t0) - Double(k) / 10) < 1e-5) }
        // Any one-second window holds at most 10.
        for start in times {
            #expect(times.filter { $0 >= start && $0 < start.addingTimeInterval(0.99999) }.count <= 10)
        }
        // Ungrouped demand is never delayed.
        #expect(pacer.availableAt([:], earliest: Self.t0) == Self.t0)
        // A message to 3 gmail recipients takes 0.3 s of the group's budget.
        let before = pacer.availableAt([0: 3], earliest: Self.t0)
        _ = pacer.reserve([0: 3], earliest: Self.t0)
        #expect(abs(pacer.availableAt([0: 1], earliest: Self.t0).timeIntervalSince(before) - 0.3) < 1e-5)
    }

    @Test func idleGroupDoesNotBankBudget() {
        var pacer = GroupPacer(groups: [DomainGroup(name: "g", domains: ["gmail.com"], ratePerSecond: 2)], now: Self.t0)
        let later = Self.t0.addingTimeInterval(100)
        #expect(pacer.reserve([0: 1], earliest: later) == later)
        #expect(pacer.reserve([0: 1], earliest: later) == later.addingTimeInterval(0.5))
    }

    @Test func multiGroupMessageWaitsForTheSlowestGroup() {
        var pacer = GroupPacer(groups: [
            DomainGroup(name: "g", domains: ["gmail.com"], ratePerSecond: 1), DomainGroup(name: "y", domains: ["yahoo.com"], ratePerSecond: 4),
        ], now: Self.t0)
        _ = pacer.reserve([0: 1], earliest: Self.t0)
        let both = pacer.reserve(pacer.demand(of: ["a@gmail.com", "b@yahoo.com"]), earliest: Self.t0)
        #expect(both == Self.t0.addingTimeInterval(1))
        #expect(pacer.availableAt([1: 1], earliest: Self.t0) == Self.t0.addingTimeInterval(1.25))
    }

    @Test(arguments: [(0, 200), (1, 300), (2, 450), (3, 675), (10, 11_533)])
    func warmupCapGrowsByFactorPerDay(day: Int, cap: Int) throws {
        let schedule = try #require(WarmupSchedule(parsing: "news.example.com@2026-09-21", initialDailyCap: 200, factor: 1.5))
        let start = try #require(ISO8601DateFormatter().date(from: "2026-09-21T00:00:00Z"))
        #expect(schedule.start == start)
        #expect(schedule.dailyCap(at: start.addingTimeInterval(Double(day) * 86_400 + 3600)) == cap)
    }

    @Test func warmupEndsAtItsCeilingAndBlocksBeforeStart() throws {
        let schedule = try #require(WarmupSchedule(parsing: "a.example@2026-09-21", initialDailyCap: 100, factor: 2, maxDailyCap: 1000))
        #expect(schedule.dailyCap(at: schedule.start.addingTimeInterval(-1)) == 0)
        #expect(schedule.dailyCap(at: schedule.start.addingTimeInterval(3 * 86_400)) == 800)
        #expect(schedule.dailyCap(at: schedule.start.addingTimeInterval(4 * 86_400)) == nil)
        #expect(WarmupSchedule(parsing: "nodate", initialDailyCap: 1, factor: 1) == nil)
        #expect(WarmupSchedule(parsing: "x@2026-13-01", initialDailyCap: 1, factor: 1) == nil)
    }

    @Test func ledgerAdmitsUpToTheCapThenDefersToMidnight() throws {
        let schedule = try #require(WarmupSchedule(parsing: "news.example.com@2026-09-21", initialDailyCap: 10, factor: 2))
        let noon = schedule.start.addingTimeInterval(12 * 3600)
        var ledger = WarmupLedger(schedules: [schedule], now: noon)
        ledger.seed(identity: "news.example.com", sentToday: 4, now: noon)
        #expect(ledger.admit(id: "m1", identity: "News.Example.com", recipients: 6, now: noon) == nil)
        #expect(ledger.admit(id: "m2", identity: "news.example.com", recipients: 1, now: noon) == schedule.start.addingTimeInterval(86_400))
        // Other identities are not warming.
        #expect(ledger.admit(id: "m3", identity: "other.example", recipients: 1_000_000, now: noon) == nil)
        // Next day: cap 20, counts reset.
        let tomorrow = noon.addingTimeInterval(86_400)
        #expect(ledger.admit(id: "m4", identity: "news.example.com", recipients: 20, now: tomorrow) == nil)
        #expect(ledger.usedToday("news.example.com") == 20)
        #expect(ledger.admit(id: "m5", identity: "news.example.com", recipients: 1, now: tomorrow) != nil)
    }

    @Test func ledgerCountsAMessageOncePerDayAndTakesBackWhatWasNotSent() throws {
        let schedule = try #require(WarmupSchedule(parsing: "news.example.com@2026-09-21", initialDailyCap: 3, factor: 2))
        let noon = schedule.start.addingTimeInterval(12 * 3600)
        var ledger = WarmupLedger(schedules: [schedule], now: noon)
        #expect(ledger.admit(id: "a", identity: "news.example.com", recipients: 1, now: noon) == nil)
        // A retry of the same message is not counted again.
        #expect(ledger.admit(id: "a", identity: "news.example.com", recipients: 1, now: noon) == nil)
        #expect(ledger.admit(id: "b", identity: "news.example.com", recipients: 1, now: noon) == nil)
        #expect(ledger.admit(id: "c", identity: "news.example.com", recipients: 1, now: noon) == nil)
        #expect(ledger.usedToday("news.example.com") == 3)
        #expect(ledger.admit(id: "d", identity: "news.example.com", recipients: 1, now: noon) != nil)
        // Not sent after all (failed, suppressed, claim lost): its place goes to the next message.
        ledger.release(id: "b", now: noon)
        ledger.release(id: "b", now: noon)
        #expect(ledger.usedToday("news.example.com") == 2)
        #expect(ledger.admit(id: "d", identity: "news.example.com", recipients: 1, now: noon) == nil)
        #expect(ledger.admit(id: "e", identity: "news.example.com", recipients: 1, now: noon) != nil)
    }

    @Test func ledgerSettlesToTheRecipientsActuallySent() throws {
        let schedule = try #require(WarmupSchedule(parsing: "news.example.com@2026-09-21", initialDailyCap: 3, factor: 2))
        let noon = schedule.start.addingTimeInterval(12 * 3600)
        var ledger = WarmupLedger(schedules: [schedule], now: noon)
        #expect(ledger.admit(id: "a", identity: "news.example.com", recipients: 3, now: noon) == nil)
        // Two recipients were suppressed at the claim.
        ledger.settle(id: "a", recipients: 1, now: noon)
        #expect(ledger.usedToday("news.example.com") == 1)
        #expect(ledger.admit(id: "b", identity: "news.example.com", recipients: 2, now: noon) == nil)
    }
}
