import Foundation
import Testing
@testable import SluiceCore

/// The findings behind a protection decision, and when a breach counts as worse than at the last pause.
struct ProtectionAssessmentTests {
    let now = MonitoringFixture.now
    typealias F = MonitoringFixture
    let policy = ProtectionPolicy(mode: .pause, complaintRateThreshold: 0.0008, bounceRateThreshold: 0.04)

    private func findings(_ samples: [CounterSample]) -> [AlertScope: ProtectionFinding] {
        policy.assess(DeliverabilityStats().report(samples: samples, now: now)).findings
    }

    @Test func scopesAreBreachClearOrNotJudged() {
        var samples = F.hour(identity: "big.example", sends: 5000, deliveries: 5000)
        samples += F.hour(identity: "small.example", sends: 50, hard: 10)              // under the minimum volume
        samples += F.hour(identity: "few.example", sends: 1000, deliveries: 998, complaints: 2)  // 0.2 % from 2 complaints
        samples += F.hour(identity: "bad.example", sends: 1000, deliveries: 950, hard: 50)     // 5 %
        let f = findings(samples)
        #expect(f[.identity("big.example")]?.state == .clear)
        #expect(f[.identity("small.example")]?.state == .notJudged)
        #expect(f[.identity("few.example")]?.state == .notJudged)
        guard case .breach(let reason) = f[.identity("bad.example")]?.state else {
            Issue.record("expected a breach")
            return
        }
        #expect(reason.contains("identity bad.example bounce rate 5%"))
        // Only judged rates are kept for comparison: 2 complaints are not a complaint rate.
        #expect(f[.identity("bad.example")]?.rates == BreachRates(bounce: 0.05, complaint: nil))
        #expect(f[.identity("few.example")]?.rates.complaint == nil)
    }

    @Test(arguments: [
        // (complaint now, complaint at the last pause, pauses again)
        (0.0009, 0.0008, false),   // 1.125 times, under AWS's 0.1 %
        (0.00099, 0.0008, false),
        (0.001, 0.0008, true),     // 1.25 times, and AWS's review level
        (0.0011, 0.00095, true),   // reached AWS's review level
        (0.0013, 0.0011, false),   // 1.18 times, both above the review level
        (0.0014, 0.0011, true),    // over 1.25 times
        (0.0007, 0.0002, false),   // under the protection threshold: not a breach at all
    ])
    func aBreachIsWorseAtOneAndAQuarterTimesOrAtAWSsReviewLevel(now rate: Double, last: Double, again: Bool) {
        let why = policy.worsened(BreachRates(complaint: rate), since: BreachRates(complaint: last))
        #expect((why != nil) == again, "\(why ?? "nil")")
    }

    @Test func whyNamesTheRateAndTheReference() throws {
        let reached = try #require(policy.worsened(BreachRates(bounce: 0.06), since: BreachRates(bounce: 0.045)))
        #expect(reached == "bounce rate 6% reached AWS's review level of 5%")
        let climbed = try #require(policy.worsened(BreachRates(bounce: 0.08), since: BreachRates(bounce: 0.06)))
        #expect(climbed == "bounce rate rose to 8% from 6% at the last pause")
        #expect(policy.worsened(BreachRates(bounce: 0.07), since: BreachRates(bounce: 0.06)) == nil)
        let review = try #require(policy.worsened(BreachRates(complaint: 0.0012), since: BreachRates(complaint: 0.0009)))
        #expect(review == "complaint rate 0.12% reached AWS's review level of 0.1%")
        // A rate that did not breach (or was not judged) at the last pause and breaches now is worse.
        let fresh = try #require(policy.worsened(BreachRates(bounce: 0.041, complaint: 0.0009), since: BreachRates(bounce: 0.01, complaint: 0.0009)))
        #expect(fresh == "bounce rate rose to 4.1% from 1% at the last pause")
        #expect(policy.worsened(BreachRates(bounce: 0.041), since: nil) == "bounce rate 4.1% now breaches too")
    }

    @Test func decideIsTheAssessmentsDecision() {
        let samples = F.hour(sends: 1000, deliveries: 950, hard: 50)
        let report = DeliverabilityStats().report(samples: samples, now: now)
        #expect(policy.decide(report) == policy.assess(report).decision)
        #expect(Set(policy.assess(report).breaches.keys) == [.overall, .identity("a.example")])
        #expect(ProtectionPolicy(mode: .off).assess(report).decision == .none)
    }
}
