import Foundation
import Testing
@testable import SluiceCore

struct MonitoringDeliverabilityStatsTests {
    let now = MonitoringFixture.now
    typealias F = MonitoringFixture

    @Test func hourStartingExactly24HoursAgoIsInsideAndCurrentHourOutside() {
        let samples = [
            F.sample(hoursAgo: 24, .send, 10),   // exactly now − 24 h: in
            F.sample(hoursAgo: 25, .send, 100),  // before the window: out
            F.sample(hoursAgo: 1, .send, 5),
            F.sample(hoursAgo: 0, .send, 1000),  // starts at now: not yet in any window
        ]
        let stats = DeliverabilityStats()
        #expect(stats.window(.last24Hours, samples: samples, now: now).sends == 15)
        #expect(stats.window(.last7Days, samples: samples, now: now).sends == 115)
        // One second later the hour starting at the old `now` is in, and the one at now − 24 h has left.
        let later = now.addingTimeInterval(1)
        #expect(stats.window(.last24Hours, samples: samples, now: later).sends == 1005)
    }

    @Test func sevenDayWindowEdge() {
        let samples = [F.sample(hoursAgo: 168, .send, 7), F.sample(hoursAgo: 169, .send, 9)]
        #expect(DeliverabilityStats().window(.last7Days, samples: samples, now: now).sends == 7)
    }

    @Test(arguments: [(99, false), (100, true)])
    func minimumVolumeBoundary(sends: Int, judged: Bool) {
        let w = DeliverabilityStats().window(.last24Hours, samples: F.hour(sends: sends, hard: 5), now: now)
        #expect(w.judged == judged)
        if judged {
            #expect(w.reading(.bounce) == .value(0.05))
        } else {
            #expect(w.reading(.bounce) == .insufficientVolume(sends: 99, minimum: 100))
            // Still reported, just not judged.
            #expect(w.bounceRate == 5.0 / 99.0)
        }
    }

    @Test func ratesExcludeSoftBouncesAndUseSendsAsDenominator() {
        var samples = F.hour(sends: 600, deliveries: 570, hard: 12, soft: 7, complaints: 1)
        samples += F.hour(hoursAgo: 3, sends: 400, deliveries: 380, hard: 8)
        samples.append(F.sample(hoursAgo: 2, .reject, 3))
        samples.append(F.sample(hoursAgo: 2, .deliveryDelay, 4))
        samples.append(F.sample(hoursAgo: 2, .open, 50))
        let w = DeliverabilityStats().window(.last24Hours, samples: samples, now: now)
        #expect(w.sends == 1000)
        #expect(w.hardBounces == 20)
        #expect(w.softBounces == 7)
        #expect(w.rejects == 3)
        #expect(w.delays == 4)
        #expect(w.bounceRate == 0.02)
        #expect(w.complaintRate == 0.001)
        #expect(w.deliveryRate == 0.95)
    }

    @Test func noSendsMeansNoRates() {
        let w = DeliverabilityStats().window(.last24Hours, samples: [F.sample(hoursAgo: 1, .hardBounce, 3)], now: now)
        #expect(w.bounceRate == nil)
        #expect(!w.judged)
    }

    @Test func representativeWindowWalksBackUntilEnoughSends() {
        let stats = DeliverabilityStats(configuration: StatsConfiguration(representativeSends: 1000))
        var samples = F.hour(hoursAgo: 1, sends: 600)
        samples += F.hour(hoursAgo: 2, sends: 300)
        samples += F.hour(hoursAgo: 3, sends: 200, hard: 4)   // reaches 1100 ≥ 1000: oldest hour included
        samples += F.hour(hoursAgo: 5, sends: 500, hard: 50)  // beyond: excluded
        let w = stats.window(.representative, samples: samples, now: now)
        #expect(w.start == now.addingTimeInterval(-3 * 3600))
        #expect(w.sends == 1100)
        #expect(w.hardBounces == 4)
    }

    @Test func representativeWindowWithLittleHistoryTakesEverythingWithinLookback() {
        let config = StatsConfiguration(representativeSends: 10_000, representativeMaxLookback: 10 * 86_400)
        var samples = F.hour(hoursAgo: 1, sends: 300)
        samples += F.hour(hoursAgo: 200, sends: 100, hard: 2)
        samples += F.hour(hoursAgo: 300, sends: 5000, hard: 500)  // older than the lookback
        let w = DeliverabilityStats(configuration: config).window(.representative, samples: samples, now: now)
        #expect(w.sends == 400)
        #expect(w.hardBounces == 2)
    }

    @Test func reportSplitsIdentitiesAndComputesQuota() {
        var samples = F.hour(identity: "b.example", sends: 300, hard: 3)
        samples += F.hour(identity: "a.example", sends: 550)
        let stats = DeliverabilityStats()
        let report = stats.report(samples: samples, now: now, quota: SendQuota(max24HourSend: 1000))
        #expect(report.identities.map(\.identity) == ["a.example", "b.example"])
        #expect(report.identities[1].window(.last24Hours)?.hardBounces == 3)
        #expect(report.overall(.last24Hours)?.sends == 850)
        #expect(report.quota == QuotaUse(sent24h: 850, max24h: 1000))
        #expect(report.quota.use == 0.85)

        let fromSES = stats.report(samples: samples, now: now, quota: SendQuota(max24HourSend: 2000, sentLast24Hours: 1000))
        #expect(fromSES.quota.sent24h == 1000)
        #expect(fromSES.quota.use == 0.5)

        let unlimited = stats.report(samples: samples, now: now, quota: SendQuota(max24HourSend: -1))
        #expect(unlimited.quota.use == nil)
        #expect(stats.report(samples: samples, now: now).quota.use == nil)
    }
}
