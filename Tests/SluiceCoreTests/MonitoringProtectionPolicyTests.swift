import Foundation
import Testing
@testable import SluiceCore

struct MonitoringProtectionPolicyTests {
    let now = MonitoringFixture.now
    typealias F = MonitoringFixture

    private func report(_ samples: [CounterSample]) -> StatsReport {
        DeliverabilityStats().report(samples: samples, now: now)
    }

    @Test func offNeverPauses() {
        let r = report(F.hour(sends: 1000, hard: 500, complaints: 100))
        #expect(ProtectionPolicy(mode: .off).decide(r) == .none)
    }

    @Test func pauseAllAtComplaintThresholdInclusive() {
        let r = report(F.hour(sends: 3000, complaints: 3))  // exactly 0.1 %, from the minimum of 3 complaints
        guard case .pauseAll(let reason) = ProtectionPolicy(mode: .pause).decide(r) else {
            Issue.record("expected pauseAll")
            return
        }
        #expect(reason.contains("complaint rate 0.1%"))
        #expect(ProtectionPolicy(mode: .pause).decide(report(F.hour(sends: 3001, complaints: 3))) == .none)
        // One complaint in 1000 sends is 0.1 % too, but too few events to pause on.
        #expect(ProtectionPolicy(mode: .pause).decide(report(F.hour(sends: 1000, complaints: 1))) == .none)
    }

    @Test func bounceThresholdAndMinimumVolume() {
        #expect(ProtectionPolicy(mode: .pause).decide(report(F.hour(sends: 1000, hard: 49))) == .none)
        #expect(ProtectionPolicy(mode: .pause).decide(report(F.hour(sends: 1000, hard: 50))) != .none)
        // 99 sends: not judged, whatever the rates.
        #expect(ProtectionPolicy(mode: .pause).decide(report(F.hour(sends: 99, hard: 50, complaints: 10))) == .none)
    }

    @Test func oneBadIdentityPausesAllOrOnlyItByMode() {
        var samples = F.hour(identity: "good.example", sends: 10_000)
        samples += F.hour(identity: "bad.example", sends: 200, hard: 12)  // 6 %; overall 0.12 %
        let r = report(samples)
        guard case .pauseAll(let reason) = ProtectionPolicy(mode: .pause).decide(r) else {
            Issue.record("expected pauseAll")
            return
        }
        #expect(reason.contains("bad.example"))
        guard case .pauseIdentities(let paused) = ProtectionPolicy(mode: .pauseIdentity).decide(r) else {
            Issue.record("expected pauseIdentities")
            return
        }
        #expect(paused.map(\.identity) == ["bad.example"])
        #expect(paused[0].reason.contains("bounce rate 6%"))
    }

    @Test func pauseIdentityFallsBackToPauseAllWhenNoIdentityIsToBlame() {
        // Three identities of 50 sends each (below minimum volume), 2 % complaints overall.
        var samples: [CounterSample] = []
        for id in ["x.example", "y.example", "z.example"] {
            samples += F.hour(identity: id, sends: 50, complaints: 1)
        }
        guard case .pauseAll = ProtectionPolicy(mode: .pauseIdentity).decide(report(samples)) else {
            Issue.record("expected pauseAll")
            return
        }
    }

    @Test func pauseIdentityPausesAllWhenTheRestOfTheAccountBreachesToo() {
        // bad.example breaches on its own, and the other identities (each under the minimum volume) together
        // breach as well: pausing bad.example alone would leave the account at risk.
        var samples = F.hour(identity: "bad.example", sends: 200, hard: 40)  // 20 %
        for id in ["x.example", "y.example", "z.example"] {
            samples += F.hour(identity: id, sends: 50, complaints: 1)  // 2 % complaints over 150 sends
        }
        guard case .pauseAll(let reason) = ProtectionPolicy(mode: .pauseIdentity).decide(report(samples)) else {
            Issue.record("expected pauseAll")
            return
        }
        #expect(reason.contains("overall without the breaching identities complaint rate 2%"))
        // Only the breaching identity's events make the overall rate breach: it alone is paused.
        var alone = F.hour(identity: "bad.example", sends: 200, hard: 40)
        alone += F.hour(identity: "good.example", sends: 800)
        guard case .pauseIdentities(let paused) = ProtectionPolicy(mode: .pauseIdentity).decide(report(alone)) else {
            Issue.record("expected pauseIdentities")
            return
        }
        #expect(paused.map(\.identity) == ["bad.example"])
    }
}
