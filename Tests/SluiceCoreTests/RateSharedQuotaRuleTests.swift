import Foundation
import SluiceCore
import Testing

struct SharedQuotaRuleTests {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_040)  // minute-aligned

    struct UsedCase: Sendable, CustomTestStringConvertible {
        let name: String
        let ledger: Int
        let reservedTotal: Int64
        let seed: QuotaSeed?
        let now: Date
        let used: Int
        var testDescription: String { name }
    }

    static let usedCases: [UsedCase] = [
        UsedCase(name: "no seed: the ledger", ledger: 30, reservedTotal: 30, seed: nil, now: t0, used: 30),
        // SES counted our 30 and 20 from elsewhere; nothing reserved since the mark.
        UsedCase(name: "seed covers the ledger", ledger: 30, reservedTotal: 30,
                 seed: QuotaSeed(sentLast24Hours: 50, mark: 30, at: t0), now: t0, used: 50),
        // 10 more after the mark: added to SES's figure once, the 30 before it not again.
        UsedCase(name: "sends after the mark add to SES", ledger: 40, reservedTotal: 40,
                 seed: QuotaSeed(sentLast24Hours: 50, mark: 30, at: t0), now: t0.addingTimeInterval(60), used: 60),
        // SES has not counted our latest sends yet (its figure lags): the ledger still bounds from below.
        UsedCase(name: "lagging SES figure: the ledger wins", ledger: 40, reservedTotal: 40,
                 seed: QuotaSeed(sentLast24Hours: 5, mark: 40, at: t0), now: t0, used: 40),
        UsedCase(name: "seed older than 24 h is ignored", ledger: 7, reservedTotal: 90,
                 seed: QuotaSeed(sentLast24Hours: 80, mark: 10, at: t0), now: t0.addingTimeInterval(86_400), used: 7),
        UsedCase(name: "seed just under 24 h counts", ledger: 7, reservedTotal: 90,
                 seed: QuotaSeed(sentLast24Hours: 80, mark: 10, at: t0), now: t0.addingTimeInterval(86_399), used: 160),
        // Given-back recipients lowered the total below the mark: never a negative contribution.
        UsedCase(name: "total below the mark", ledger: 3, reservedTotal: 8,
                 seed: QuotaSeed(sentLast24Hours: 12, mark: 10, at: t0), now: t0, used: 12),
    ]

    @Test(arguments: usedCases)
    func usedIsTheLargerOfLedgerAndSESPlusLaterSends(_ c: UsedCase) {
        #expect(SharedQuotaRule.used(ledger: c.ledger, reservedTotal: c.reservedTotal, seed: c.seed, now: c.now) == c.used)
    }

    @Test func fitsHonoursTheLimitAndUnlimited() {
        #expect(SharedQuotaRule.fits(10, used: 90, limit: 100))
        #expect(!SharedQuotaRule.fits(11, used: 90, limit: 100))
        #expect(SharedQuotaRule.fits(1_000_000, used: 1_000_000, limit: -1))
        #expect(!SharedQuotaRule.fits(1, used: 0, limit: 0))
    }

    @Test func bucketsMatchTheLocalRollingQuota() {
        let late = Self.t0.addingTimeInterval(59.9)
        let minute = SharedQuotaRule.minute(of: late)
        #expect(minute == SharedQuotaRule.minute(of: Self.t0))
        // Counted for 24 h plus the rest of its minute: never freed early.
        #expect(SharedQuotaRule.expiry(ofMinute: minute) == Self.t0.addingTimeInterval(86_460))
        #expect(SharedQuotaRule.expiredThrough(now: late.addingTimeInterval(86_400)) < minute)
        #expect(SharedQuotaRule.expiredThrough(now: Self.t0.addingTimeInterval(86_460)) == minute)
        var local = RollingQuota(max24HourSend: 1)
        local.record(now: late)
        #expect(abs(local.timeUntilFree(now: late) - SharedQuotaRule.expiry(ofMinute: minute).timeIntervalSince(late)) < 0.001)
    }

    @Test func retryDelayWaitsForTheOldestBucketsThatFreeEnough() {
        let m = SharedQuotaRule.minute(of: Self.t0)
        let buckets: [(minute: Int64, count: Int)] = [(m, 4), (m + 10, 3), (m + 20, 3)]
        // 10 used of 10; one minute before the first bucket expires.
        let now = SharedQuotaRule.expiry(ofMinute: m).addingTimeInterval(-60)
        let one = SharedQuotaRule.retryDelay(1, limit: 10, buckets: buckets, reservedTotal: 10, seed: nil, now: now, cap: 3600)
        #expect(one == 60)
        let five = SharedQuotaRule.retryDelay(5, limit: 10, buckets: buckets, reservedTotal: 10, seed: nil, now: now, cap: 3600)
        #expect(five == 60 + 600)
        // Beyond the cap (or beyond the whole limit): the cap, to look again.
        #expect(SharedQuotaRule.retryDelay(5, limit: 10, buckets: buckets, reservedTotal: 10, seed: nil, now: now, cap: 120) == 120)
        #expect(SharedQuotaRule.retryDelay(11, limit: 10, buckets: buckets, reservedTotal: 10, seed: nil, now: now, cap: 120) == 120)
        #expect(SharedQuotaRule.retryDelay(1, limit: 11, buckets: buckets, reservedTotal: 10, seed: nil, now: now, cap: 120) == 0)
    }

    @Test func retryDelayWaitsForTheSeedWhenSESFigureBinds() {
        let m = SharedQuotaRule.minute(of: Self.t0)
        // SES said 9 (others' sends) at t0; we reserved 1 since: 10 of 10. The ledger alone would fit.
        let seed = QuotaSeed(sentLast24Hours: 9, mark: 0, at: Self.t0)
        let now = Self.t0.addingTimeInterval(86_000)
        let wait = SharedQuotaRule.retryDelay(1, limit: 10, buckets: [(m, 1)], reservedTotal: 1, seed: seed, now: now, cap: 3600)
        #expect(wait == 400)  // the seed's 24 h end at t0 + 86,400; the bucket expires 60 s later
    }
}
