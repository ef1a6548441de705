import Foundation
import Testing
@testable import SluiceCore

/// What the alert engine does with readings it cannot judge (too few sends or events, unknown quota, a
/// silent feed it cannot tell from a quiet one), and how it bounds many identity alerts.
struct AlertEngineJudgementTests {
    let now = MonitoringFixture.now
    typealias F = MonitoringFixture
    let engine = AlertEngine()
    /// The defaults of `monitoring.protection*`.
    let protection = ProtectionPolicy(mode: .pause, complaintRateThreshold: 0.0008, bounceRateThreshold: 0.04)

    private func at(minutes: Double) -> Date { now.addingTimeInterval(minutes * 60) }

    private func overall(_ notes: [AlertNotification], _ rule: AlertRule) -> [AlertNotification] {
        notes.filter { $0.rule == rule && $0.scope == .overall }
    }

    // MARK: Minimum events

    @Test(arguments: [(100, 1), (100, 2), (400, 2), (1000, 1), (1000, 2), (1250, 1), (1250, 2)])
    func oneOrTwoComplaintsAtSmallVolumeNeitherAlertNorPause(sends: Int, complaints: Int) throws {
        let samples = F.hour(sends: sends, deliveries: sends - complaints, complaints: complaints)
        let (state, notes) = engine.evaluate(inputs: AlertInputs(samples: samples), previous: AlertState(), now: now)
        #expect(!notes.contains { $0.rule == .complaintRate })
        #expect(state.active.isEmpty)
        let report = DeliverabilityStats().report(samples: samples, now: now)
        #expect(protection.decide(report) == .none)
        #expect(protection.assess(report).findings[.overall]?.state == .notJudged)

        // The rate is still reported, with why it cannot breach.
        let w = try #require(report.overall(.representative))
        #expect(w.complaintRate == Double(complaints) / Double(sends))
        #expect(w.status(.complaint) == .insufficientEvents)
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(w)) as? [String: Any])
        #expect(json["complaint_status"] as? String == "insufficient_events")
        #expect(json["bounce_status"] as? String == "insufficient_events")
        #expect(json["status"] as? String == "ok")
        #expect(json["judged"] as? Bool == true)
        #expect(json["minimum_events"] as? Int == 3)
        #expect(report.renderText().contains("yes; bounce, complaint < 3 events"))
        #expect(report.renderText().contains("cannot breach (insufficient events)"))
    }

    @Test func threeComplaintsInAThousandSendsGoCriticalAndPause() throws {
        let samples = F.hour(sends: 1000, deliveries: 997, complaints: 3)
        let (_, notes) = engine.evaluate(inputs: AlertInputs(samples: samples), previous: AlertState(), now: now)
        let alert = try #require(overall(notes, .complaintRate).first)
        #expect(alert.severity == .critical)
        #expect(alert.value == 0.003)
        let report = DeliverabilityStats().report(samples: samples, now: now)
        guard case .pauseAll(let reason) = protection.decide(report) else {
            Issue.record("expected pauseAll")
            return
        }
        #expect(reason.contains("complaint rate 0.3%"))
        #expect(report.overall(.representative)?.status(.complaint) == .ok)
    }

    @Test func aRateFromTooFewEventsThatIsClearAnywayIsJudgedClear() throws {
        // 1 complaint in 100,000 sends: 0.001 %, far under the 0.05 % warning; an open alert on it resolves.
        let (open, _) = engine.evaluate(inputs: AlertInputs(samples: F.hour(sends: 1000, complaints: 3)), previous: AlertState(), now: now)
        let (state, notes) = engine.evaluate(
            inputs: AlertInputs(samples: F.hour(sends: 100_000, complaints: 1)), previous: open, now: at(minutes: 1))
        #expect(overall(notes, .complaintRate).map(\.status) == [.resolved])
        #expect(!state.active.keys.contains { $0.hasPrefix("complaint_rate|") })
    }

    // MARK: Not judged holds

    @Test func anOpenAlertHoldsWhileUnjudgedAndResolvesOnAJudgedClearReading() throws {
        let (s1, n1) = engine.evaluate(inputs: AlertInputs(samples: F.hour(sends: 1000, hard: 25)), previous: AlertState(), now: now)
        let fired = try #require(overall(n1, .bounceRate).first)
        // 99 sends: below the minimum volume. Held, quiet, still critical, with the last judged value.
        let (s2, n2) = engine.evaluate(inputs: AlertInputs(samples: F.hour(sends: 99, hard: 1)), previous: s1, now: at(minutes: 61))
        #expect(n2.isEmpty)
        let held = try #require(s2.active["bounce_rate|overall"])
        #expect(held.id == fired.id)
        #expect(held.severity == .critical)
        #expect(held.value == 0.025)
        #expect(held.unjudgedSince == at(minutes: 61))
        #expect(held.message.contains("not judged") && held.message.contains("held open"))
        // Judged again and clear: resolved, same episode.
        let (s3, n3) = engine.evaluate(inputs: AlertInputs(samples: F.hour(sends: 1000, hard: 1)), previous: s2, now: at(minutes: 62))
        #expect(overall(n3, .bounceRate).map(\.status) == [.resolved])
        #expect(overall(n3, .bounceRate).first?.id == fired.id)
        #expect(s3.active.isEmpty)
    }

    @Test func anIdentityHoveringAtTheMinimumVolumeIsOneEpisode() {
        var state = AlertState()
        var notes: [AlertNotification] = []
        for minute in 0..<20 {
            // 100 sends (judged, 10 % bounces) and 99 sends (not judged) in turn, a minute apart.
            let sends = minute.isMultiple(of: 2) ? 100 : 99
            let (next, n) = engine.evaluate(inputs: AlertInputs(samples: F.hour(sends: sends, hard: 10)), previous: state, now: at(minutes: Double(minute)))
            notes += n.filter { $0.rule == .bounceRate }
            state = next
        }
        #expect(notes.map(\.status) == [.firing, .firing])  // overall and the identity, once each
        #expect(Set(notes.map(\.id)).count == 2)
        #expect(state.active["bounce_rate|identity:a.example"]?.unjudgedSince != nil)
    }

    @Test func anAlertUnjudgedForTheGraceResolves() throws {
        let (s1, _) = engine.evaluate(inputs: AlertInputs(samples: F.hour(sends: 1000, hard: 25)), previous: AlertState(), now: now)
        let quiet = AlertInputs(samples: F.hour(sends: 50, hard: 1))
        let (s2, n2) = engine.evaluate(inputs: quiet, previous: s1, now: at(minutes: 10))
        #expect(n2.isEmpty)
        let (s3, n3) = engine.evaluate(inputs: quiet, previous: s2, now: at(minutes: 10 + 24 * 60 - 1))
        #expect(n3.isEmpty)
        let (s4, n4) = engine.evaluate(inputs: quiet, previous: s3, now: at(minutes: 10 + 24 * 60))
        let resolved = try #require(overall(n4, .bounceRate).first)
        #expect(resolved.status == .resolved)
        #expect(resolved.message.contains("resolved after 24 h without a judged reading"))
        #expect(s4.active.isEmpty)
    }

    @Test func anUnknownQuotaHoldsTheQuotaAlertAndAnUnlimitedOneClearsIt() throws {
        let samples = F.hour(sends: 960)
        let (s1, n1) = engine.evaluate(inputs: AlertInputs(samples: samples, quota: SendQuota(max24HourSend: 1000)), previous: AlertState(), now: now)
        #expect(overall(n1, .quotaUse).first?.severity == .critical)
        // The quota read failed (nil): no resolve, no new id at the next read.
        let (s2, n2) = engine.evaluate(inputs: AlertInputs(samples: samples), previous: s1, now: at(minutes: 1))
        #expect(overall(n2, .quotaUse).isEmpty)
        let (s3, n3) = engine.evaluate(inputs: AlertInputs(samples: samples, quota: SendQuota(max24HourSend: 1000)), previous: s2, now: at(minutes: 2))
        #expect(overall(n3, .quotaUse).isEmpty)
        #expect(s3.active["quota_use|overall"]?.id == s1.active["quota_use|overall"]?.id)
        #expect(s3.active["quota_use|overall"]?.unjudgedSince == nil)
        let (_, n4) = engine.evaluate(inputs: AlertInputs(samples: samples, quota: SendQuota(max24HourSend: -1)), previous: s3, now: at(minutes: 3))
        #expect(overall(n4, .quotaUse).map(\.status) == [.resolved])
    }

    @Test func aRuleTurnedOffResolvesItsOpenAlertAtOnce() {
        let (s1, _) = engine.evaluate(inputs: AlertInputs(samples: F.hour(sends: 1000, hard: 25)), previous: AlertState(), now: now)
        let off = AlertEngine(configuration: AlertConfiguration(bounceRateWarning: nil, bounceRateCritical: nil))
        let (s2, n2) = off.evaluate(inputs: AlertInputs(samples: F.hour(sends: 1000, hard: 25)), previous: s1, now: at(minutes: 1))
        #expect(n2.filter { $0.rule == .bounceRate }.map(\.status) == [.resolved, .resolved])
        #expect(s2.active.isEmpty)
    }

    // MARK: Feedback silence

    private func hourly(_ kind: EventKind, _ count: Int, hours: ClosedRange<Int>) -> [CounterSample] {
        hours.map { F.sample(hoursAgo: Double($0), kind, count) }
    }

    @Test func feedbackSilenceIsArmedOnlyOnceDeliveryOrSendEventsAreSeen() {
        // Bounces and complaints only: 8 h without feedback while 200 sends an hour went out is a clean list.
        let bouncesOnly = hourly(.send, 200, hours: 1...10) + [F.sample(hoursAgo: 9, .hardBounce, 1)]
        let (_, quiet) = engine.evaluate(inputs: AlertInputs(samples: bouncesOnly), previous: AlertState(), now: now)
        #expect(overall(quiet, .feedbackSilence).isEmpty)

        // Delivery events seen in the history (days ago): silence now is a broken feed.
        let armed = bouncesOnly + [F.sample(hoursAgo: 100, .delivery, 50)]
        let (_, loud) = engine.evaluate(inputs: AlertInputs(samples: armed), previous: AlertState(), now: now)
        #expect(overall(loud, .feedbackSilence).first?.severity == .critical)
        // SES Send events count too (the app says so: reconciling folded them into sends).
        let told = AlertInputs(samples: bouncesOnly, deliveryOrSendEventsSeen: true)
        #expect(overall(engine.evaluate(inputs: told, previous: AlertState(), now: now).1, .feedbackSilence).count == 1)
    }

    @Test func feedbackSilenceStaysArmedThroughAnOutageLongerThanTheHistory() {
        // Feedback stopped at `now`; sends go on at 200 an hour. Each hourly evaluation reads 8 days of counters,
        // so after 8 days the last Delivery hour has left them: the open alert must neither lapse nor resolve.
        let delivered = hourly(.delivery, 190, hours: 1...48)
        var state = AlertState()
        var statuses: [AlertStatus] = []
        for hour in 0...(10 * 24) {
            let t = now.addingTimeInterval(Double(hour) * HourMath.hour)
            let from = t.addingTimeInterval(-8 * 86_400)
            let sends = (1...(8 * 24)).map { F.sample(hoursAgo: Double($0), .send, 200, from: t) }
            let inputs = AlertInputs(samples: sends + delivered.filter { $0.hourStart >= from }, lastFeedbackAt: now)
            let (next, notes) = engine.evaluate(inputs: inputs, previous: state, now: t)
            statuses += overall(notes, .feedbackSilence).map(\.status)
            state = next
        }
        #expect(statuses.first == .firing)
        #expect(!statuses.contains(.resolved))
        #expect(statuses.filter { $0 == .firing }.count == 1)
        #expect(statuses.filter { $0 == .repeat }.count > 200)
        let open = state.active[AlertState.key(.feedbackSilence, .overall)]
        #expect(open?.severity == .critical && open?.unjudgedSince == nil)
        #expect(state.feedbackSilenceArmedSince == now)

        // Feedback flows again: judged clear, resolved.
        let later = now.addingTimeInterval(10 * 86_400 + HourMath.hour)
        let sends = (1...10).map { F.sample(hoursAgo: Double($0), .send, 200, from: later) }
        let (cleared, notes) = engine.evaluate(inputs: AlertInputs(samples: sends, lastFeedbackAt: later), previous: state, now: later)
        #expect(overall(notes, .feedbackSilence).map(\.status) == [.resolved])
        #expect(cleared.feedbackSilenceArmedSince == now)
    }

    @Test func feedbackSilenceArmingIsKeptAndDroppedWithTheRule() {
        let bouncesOnly = hourly(.send, 200, hours: 1...10) + [F.sample(hoursAgo: 9, .hardBounce, 1)]
        // Armed in an earlier evaluation: no Delivery or Send events in today's counters is still a silent feed.
        let latched = AlertState(feedbackSilenceArmedSince: now.addingTimeInterval(-30 * 86_400))
        let (kept, loud) = engine.evaluate(inputs: AlertInputs(samples: bouncesOnly), previous: latched, now: now)
        #expect(overall(loud, .feedbackSilence).first?.severity == .critical)
        #expect(kept.feedbackSilenceArmedSince == latched.feedbackSilenceArmedSince)
        // A state saved before the latch existed, with the alert open: it stays armed too.
        let openAlert = kept.active[AlertState.key(.feedbackSilence, .overall)]
        let legacy = AlertState(active: kept.active)
        let (relatched, again) = engine.evaluate(inputs: AlertInputs(samples: bouncesOnly), previous: legacy, now: now.addingTimeInterval(60))
        #expect(overall(again, .feedbackSilence).isEmpty)
        #expect(relatched.active[AlertState.key(.feedbackSilence, .overall)]?.id == openAlert?.id)
        #expect(relatched.feedbackSilenceArmedSince != nil)
        // Turned off: the alert resolves and the latch goes, so turning it back on arms from the counters again.
        let off = AlertEngine(configuration: AlertConfiguration(feedbackSilence: nil))
        let (dropped, resolved) = off.evaluate(inputs: AlertInputs(samples: bouncesOnly), previous: kept, now: now)
        #expect(overall(resolved, .feedbackSilence).map(\.status) == [.resolved])
        #expect(dropped.feedbackSilenceArmedSince == nil)
        let (_, quiet) = engine.evaluate(inputs: AlertInputs(samples: bouncesOnly), previous: dropped, now: now)
        #expect(overall(quiet, .feedbackSilence).isEmpty)
    }

    @Test func feedbackSilenceNeedsTheMinimumSendsAndCanBeTurnedOff() {
        // 15 sends an hour for 6 h: 90 sends, under the default 100.
        let few = hourly(.send, 15, hours: 1...10) + [F.sample(hoursAgo: 100, .delivery, 50)]
        #expect(overall(engine.evaluate(inputs: AlertInputs(samples: few), previous: AlertState(), now: now).1, .feedbackSilence).isEmpty)
        let lower = AlertEngine(configuration: AlertConfiguration(feedbackSilenceMinimumSends: 90))
        #expect(overall(lower.evaluate(inputs: AlertInputs(samples: few), previous: AlertState(), now: now).1, .feedbackSilence).count == 1)
        let off = AlertEngine(configuration: AlertConfiguration(feedbackSilence: nil, feedbackSilenceMinimumSends: 1))
        #expect(off.feedbackSilenceObservation(AlertInputs(samples: few), now: now) == nil)
    }

    // MARK: Many identities

    private func identities(_ n: Int, sends: Int = 100, hard: Int = 10) -> [CounterSample] {
        (0..<n).flatMap { F.hour(identity: "id\($0).example", sends: sends, deliveries: sends - hard, hard: hard) }
    }

    @Test func identityAlertsBeyondTheCapAreCountedInOneAlertPerRule() throws {
        let engine = AlertEngine(configuration: AlertConfiguration(maxIdentityAlerts: 3))
        let (s1, n1) = engine.evaluate(inputs: AlertInputs(samples: identities(10)), previous: AlertState(), now: now)
        let bounce = n1.filter { $0.rule == .bounceRate }
        #expect(bounce.count == 1 + 3 + 1)
        // Overall first, the `identity:*` aggregate with the count of the rest.
        #expect(bounce.first?.scope == .overall)
        let aggregate = try #require(bounce.first { $0.scope == .otherIdentities })
        #expect(aggregate.value == 7)
        #expect(aggregate.severity == .critical)
        #expect(aggregate.message.hasPrefix("7 more identities breach bounce_rate beyond the 3 identity alerts kept"))
        #expect(s1.active.values.filter { $0.rule == .bounceRate }.count == 5)

        // The same next minute: nothing new, nothing flapping.
        let (s2, n2) = engine.evaluate(inputs: AlertInputs(samples: identities(10)), previous: s1, now: at(minutes: 1))
        #expect(n2.isEmpty)
        // Only the three kept still breach: the aggregate resolves.
        let (s3, n3) = engine.evaluate(inputs: AlertInputs(samples: identities(3) + identities(7, sends: 1000, hard: 0).map {
            CounterSample(hourStart: $0.hourStart, identity: "x" + $0.identity, kind: $0.kind, count: $0.count)
        }), previous: s2, now: at(minutes: 2))
        #expect(n3.filter { $0.scope == .otherIdentities }.map(\.status) == [.resolved])
        #expect(s3.active["bounce_rate|identity:*"] == nil)
    }

    @Test func fiveThousandBreachingIdentitiesKeepTheStateFarUnderTheSettingLimit() throws {
        let (state, notes) = engine.evaluate(inputs: AlertInputs(samples: identities(5000)), previous: AlertState(), now: now)
        let individual = state.active.values.filter { if case .identity = $0.scope { $0.scope != .otherIdentities } else { false } }
        #expect(individual.count == 200)
        #expect(state.active["bounce_rate|identity:*"]?.value == 4800)
        let bytes = try JSONEncoder().encode(state).count
        #expect(bytes < 512 * 1024, "\(bytes) bytes")
        #expect(notes.count < 250)
    }

    @Test func notificationsComeOverallFirstThenCriticalFirst() {
        var samples = F.hour(identity: "b.example", sends: 1000, deliveries: 985, hard: 15)   // identity warning
        samples += F.hour(identity: "a.example", sends: 1000, deliveries: 970, hard: 30)      // identity critical
        samples += F.hour(identity: "c.example", sends: 10_000, deliveries: 10_000)           // overall 0.41 %: clear
        let signal = ExternalSignal(kind: .sesSendingPaused, detail: "SendingPausedException", at: now)
        let (_, notes) = engine.evaluate(inputs: AlertInputs(samples: samples, signals: [signal]), previous: AlertState(), now: now)
        #expect(notes.map(\.priority) == notes.map(\.priority).sorted())
        #expect(notes.first?.scope == .overall)
        #expect(notes.map { "\($0.scope)" } == ["overall", "identity:a.example", "identity:b.example"])
    }
}
