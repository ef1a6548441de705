import Foundation
import Testing
import SluiceCore
@testable import SluiceApp

/// `ProtectionMemory` on its own: pure, the gate passed in as read.
struct ProtectionMemoryTests {
    let policy = ProtectionPolicy(mode: .pause, complaintRateThreshold: 0.0008, bounceRateThreshold: 0.04)
    let running = SendingControl.State.running
    var byProtection: SendingControl.State {
        SendingControl.State(paused: true, reason: "protection: r", since: nil, source: .protection, pausedIdentities: [:])
    }
    var byOperator: SendingControl.State {
        SendingControl.State(paused: true, reason: "maintenance", since: nil, source: .operator, pausedIdentities: [:])
    }

    /// The whole gate breaching on the overall complaint rate.
    private func breach(_ complaint: Double) -> ProtectionAssessment {
        ProtectionAssessment(decision: .pauseAll(reason: "r"), findings: [
            .overall: ProtectionFinding(state: .breach(reason: "r"), rates: BreachRates(complaint: complaint)),
        ])
    }

    private func none(_ state: ProtectionFinding.State) -> ProtectionAssessment {
        ProtectionAssessment(decision: .none, findings: [.overall: ProtectionFinding(state: state, rates: BreachRates())])
    }

    @Test func pausesOncePerEpisodeAndAgainOnlyWhenTheBreachWorsens() throws {
        var memory = ProtectionMemory()
        #expect(memory.apply(breach(0.0008), policy: policy, gate: running) == .pauseAll(reason: "r"))
        #expect(memory.apply(breach(0.0008), policy: policy, gate: byProtection) == .none)
        // The operator resumed: a little worse is not enough.
        #expect(memory.apply(breach(0.0009), policy: policy, gate: running) == .none)
        #expect(memory.apply(breach(0.00095), policy: policy, gate: running) == .none)
        // AWS's review level: paused again, saying why.
        guard case .pauseAll(let reason, let again) = memory.apply(breach(0.001), policy: policy, gate: running) else {
            Issue.record("expected a second pause")
            return
        }
        #expect(reason == "r; paused again: overall complaint rate 0.1% reached AWS's review level of 0.1%")
        #expect(again == "overall complaint rate 0.1% reached AWS's review level of 0.1%")
        // While paused the rate climbs to 0.12 %; the operator resumes having seen that: judged against it.
        #expect(memory.apply(breach(0.0012), policy: policy, gate: byProtection) == .none)
        #expect(memory.allRates["overall"] == BreachRates(complaint: 0.0012))
        #expect(memory.apply(breach(0.0013), policy: policy, gate: running) == .none)
        guard case .pauseAll(_, let third) = memory.apply(breach(0.0016), policy: policy, gate: running) else {
            Issue.record("expected a third pause")
            return
        }
        #expect(third == "overall complaint rate rose to 0.16% from 0.12% at the last pause")
    }

    @Test func notJudgedKeepsTheEpisodeAndJudgedClearEndsIt() {
        var memory = ProtectionMemory()
        #expect(memory.apply(breach(0.0009), policy: policy, gate: running) == .pauseAll(reason: "r"))
        // The operator resumed; the window dips under the minimum volume (or events): the episode goes on.
        #expect(memory.apply(none(.notJudged), policy: policy, gate: running) == .none)
        #expect(memory.pausedAll)
        #expect(memory.apply(breach(0.0009), policy: policy, gate: running) == .none)
        // Judged clear: over. The next breach is a new episode.
        #expect(memory.apply(none(.clear), policy: policy, gate: running) == .none)
        #expect(memory == ProtectionMemory())
        #expect(memory.apply(breach(0.0009), policy: policy, gate: running) == .pauseAll(reason: "r"))
    }

    @Test func aPauseByAnOperatorIsNotCountedAsTheEpisodes() {
        var memory = ProtectionMemory()
        #expect(memory.apply(breach(0.0009), policy: policy, gate: byOperator) == .none)
        #expect(!memory.pausedAll)
        #expect(memory.apply(breach(0.0009), policy: policy, gate: running) == .pauseAll(reason: "r"))
    }

    @Test func identitiesPauseOnceAgainWhenWorseAndEndWhenJudgedClear() {
        var memory = ProtectionMemory()
        func assessment(_ breaching: [String: Double], notJudged: [String] = [], clear: [String] = []) -> ProtectionAssessment {
            var findings: [AlertScope: ProtectionFinding] = [:]
            for (id, rate) in breaching { findings[.identity(id)] = ProtectionFinding(state: .breach(reason: "r-\(id)"), rates: BreachRates(bounce: rate)) }
            for id in notJudged { findings[.identity(id)] = ProtectionFinding(state: .notJudged, rates: BreachRates()) }
            for id in clear { findings[.identity(id)] = ProtectionFinding(state: .clear, rates: BreachRates(bounce: 0.001)) }
            let pauses = breaching.keys.sorted().map { IdentityPause(identity: $0, reason: "r-\($0)") }
            return ProtectionAssessment(decision: pauses.isEmpty ? .none : .pauseIdentities(pauses), findings: findings)
        }
        let paused: (Set<String>) -> SendingControl.State = { ids in
            SendingControl.State(paused: false, reason: nil, since: nil, source: nil,
                                 pausedIdentities: Dictionary(uniqueKeysWithValues: ids.map { ($0, "protection") }))
        }
        #expect(memory.apply(assessment(["a": 0.05]), policy: policy, gate: running) == .pauseIdentities(["a": "r-a"]))
        #expect(memory.apply(assessment(["a": 0.05, "b": 0.045]), policy: policy, gate: paused(["a"])) == .pauseIdentities(["b": "r-b"]))
        // Both resumed: a at 6 % is not 1.25 times 5 %; at 6.3 % it is.
        #expect(memory.apply(assessment(["a": 0.06, "b": 0.045]), policy: policy, gate: running) == .none)
        #expect(memory.apply(assessment(["a": 0.063, "b": 0.045]), policy: policy, gate: running)
            == .pauseIdentities(["a": "r-a; paused again: bounce rate rose to 6.3% from 5% at the last pause"], again: ["a"]))
        // b not judged: still its episode; then judged clear: over, and a new breach pauses it again.
        #expect(memory.apply(assessment(["a": 0.063], notJudged: ["b"]), policy: policy, gate: paused(["a"])) == .none)
        #expect(memory.identities == ["a", "b"])
        #expect(memory.apply(assessment(["a": 0.063], clear: ["b"]), policy: policy, gate: paused(["a"])) == .none)
        #expect(memory.identities == ["a"])
        #expect(memory.apply(assessment(["a": 0.063, "b": 0.05]), policy: policy, gate: paused(["a"])) == .pauseIdentities(["b": "r-b"]))
    }

    /// An identity breach that starts while an operator (or SES) has paused everything is applied once that
    /// pause is lifted: lifting it clears identity pauses too, so one applied during it would be lost.
    @Test func anIdentityBreachDuringAnOperatorPauseIsAppliedAfterIt() {
        var memory = ProtectionMemory()
        let breach = ProtectionAssessment(
            decision: .pauseIdentities([IdentityPause(identity: "a", reason: "r-a")]),
            findings: [.identity("a"): ProtectionFinding(state: .breach(reason: "r-a"), rates: BreachRates(bounce: 0.05))])
        #expect(memory.apply(breach, policy: policy, gate: byOperator) == .none)
        #expect(memory.identities.isEmpty)
        #expect(memory.apply(breach, policy: policy, gate: byOperator) == .none)
        // The operator resumes (every pause cleared): the breach is applied now.
        #expect(memory.apply(breach, policy: policy, gate: running) == .pauseIdentities(["a": "r-a"]))
        #expect(memory.identities == ["a"])
    }

    @Test func memorySavedByAnEarlierVersionStillDecodes() throws {
        let old = Data(#"{"identities":["a.example"],"pausedAll":true}"#.utf8)
        var memory = try JSONDecoder().decode(ProtectionMemory.self, from: old)
        #expect(memory.pausedAll && memory.identities == ["a.example"])
        // No rates were kept: the current ones become the reference instead of pausing again at once.
        #expect(memory.apply(breach(0.0009), policy: policy, gate: running) == .none)
        #expect(memory.allRates["overall"] == BreachRates(complaint: 0.0009))
        let again = try JSONDecoder().decode(ProtectionMemory.self, from: JSONEncoder().encode(memory))
        #expect(again == memory)
    }
}
