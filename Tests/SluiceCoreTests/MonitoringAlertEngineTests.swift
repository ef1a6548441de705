import Foundation
import Testing
@testable import SluiceCore

struct MonitoringAlertEngineTests {
    let now = MonitoringFixture.now
    typealias F = MonitoringFixture
    let engine = AlertEngine()

    private func at(minutes: Double) -> Date { now.addingTimeInterval(minutes * 60) }

    private func overall(_ notes: [AlertNotification], _ rule: AlertRule) -> [AlertNotification] {
        notes.filter { $0.rule == rule && $0.scope == .overall }
    }

    @Test func firesOnceRepeatsAfterCoolDownAndResolves() throws {
        let bad = AlertInputs(samples: F.hour(sends: 1000, hard: 15))
        let (s1, n1) = engine.evaluate(inputs: bad, previous: AlertState(), now: now)
        #expect(n1.count == 2)  // overall and identity a.example
        let fired = try #require(overall(n1, .bounceRate).first)
        #expect(fired.status == .firing)
        #expect(fired.severity == .warning)
        #expect(fired.value == 0.015)
        #expect(fired.threshold == 0.01)
        #expect(n1.contains { $0.scope == .identity("a.example") && $0.status == .firing })

        let (s2, n2) = engine.evaluate(inputs: bad, previous: s1, now: at(minutes: 59))
        #expect(n2.isEmpty)

        let (s3, n3) = engine.evaluate(inputs: bad, previous: s2, now: at(minutes: 60))
        #expect(n3.map(\.status) == [.repeat, .repeat])
        #expect(overall(n3, .bounceRate).first?.id == fired.id)

        let (s4, n4) = engine.evaluate(inputs: bad, previous: s3, now: at(minutes: 90))
        #expect(n4.isEmpty)

        let good = AlertInputs(samples: F.hour(sends: 1000, hard: 5))
        let (s5, n5) = engine.evaluate(inputs: good, previous: s4, now: at(minutes: 95))
        #expect(n5.map(\.status) == [.resolved, .resolved])
        #expect(overall(n5, .bounceRate).first?.id == fired.id)
        #expect(overall(n5, .bounceRate).first?.value == 0.005)
        #expect(s5.active.isEmpty)
    }

    @Test func aRateHoveringAtItsThresholdStaysOneEpisodeUntilItClearsByTheMargin() throws {
        // 1.1 % fires; 1.0 % and 0.95 % are clear but within 10 % of the 1 % threshold; 0.8 % clears by it.
        let readings = [11, 10, 12, 10, 95, 11, 8]
        var state = AlertState()
        var statuses: [AlertStatus] = []
        for (minute, bounces) in readings.enumerated() {
            let samples = bounces == 95 ? F.hour(sends: 10_000, hard: 95) : F.hour(sends: 1000, hard: bounces)
            let (next, notes) = engine.evaluate(inputs: AlertInputs(samples: samples), previous: state, now: at(minutes: Double(minute)))
            statuses += overall(notes, .bounceRate).map(\.status)
            state = next
        }
        #expect(statuses == [.firing, .resolved])
        #expect(state.active.isEmpty)

        // Held open, the alert keeps its value current and says why it is still open.
        let (held, _) = engine.evaluate(inputs: AlertInputs(samples: F.hour(sends: 1000, hard: 11)), previous: AlertState(), now: now)
        let (stillOpen, quiet) = engine.evaluate(inputs: AlertInputs(samples: F.hour(sends: 1000, hard: 10)), previous: held, now: at(minutes: 61))
        #expect(overall(quiet, .bounceRate).isEmpty)
        let open = try #require(stillOpen.openAlerts.first { $0.rule == .bounceRate && $0.scope == .overall })
        #expect(open.value == 0.01)
        #expect(open.message.contains("open until 10% clear of the threshold"))
    }

    @Test func deliveryRateClearsByTheMarginOfItsShortfall() {
        let low = AlertInputs(samples: F.hour(sends: 1000, deliveries: 940))
        let (s1, n1) = engine.evaluate(inputs: low, previous: AlertState(), now: now)
        #expect(overall(n1, .deliveryRate).map(\.status) == [.firing])
        // 95.2 %: above the 95 % threshold but the 4.8 % shortfall is not 10 % under the allowed 5 %.
        let (s2, n2) = engine.evaluate(inputs: AlertInputs(samples: F.hour(sends: 1000, deliveries: 952)), previous: s1, now: at(minutes: 1))
        #expect(overall(n2, .deliveryRate).isEmpty)
        let (_, n3) = engine.evaluate(inputs: AlertInputs(samples: F.hour(sends: 1000, deliveries: 956)), previous: s2, now: at(minutes: 2))
        #expect(overall(n3, .deliveryRate).map(\.status) == [.resolved])
    }

    @Test func escalationNotifiesAtOnceAndDeEscalationWaitsForTheRepeat() throws {
        let warning = AlertInputs(samples: F.hour(sends: 1000, hard: 15))
        let critical = AlertInputs(samples: F.hour(sends: 1000, hard: 25))
        let (s1, _) = engine.evaluate(inputs: warning, previous: AlertState(), now: now)
        let (s2, n2) = engine.evaluate(inputs: critical, previous: s1, now: at(minutes: 10))
        let escalated = try #require(overall(n2, .bounceRate).first)
        #expect(escalated.status == .firing)
        #expect(escalated.severity == .critical)
        #expect(escalated.threshold == 0.02)
        #expect(escalated.message.hasPrefix("escalated to critical"))

        // Back to warning level: quiet until the cool-down after the escalation.
        let (s3, n3) = engine.evaluate(inputs: warning, previous: s2, now: at(minutes: 20))
        #expect(n3.isEmpty)
        #expect(s3.openAlerts.first?.severity == .critical)
        let (_, n4) = engine.evaluate(inputs: warning, previous: s3, now: at(minutes: 70))
        let repeated = try #require(overall(n4, .bounceRate).first)
        #expect(repeated.status == .repeat)
        #expect(repeated.severity == .warning)
    }

    @Test func stateSurvivesJSONRoundTrip() throws {
        let bad = AlertInputs(samples: F.hour(sends: 1000, complaints: 3))
        let (s1, n1) = engine.evaluate(inputs: bad, previous: AlertState(), now: now)
        #expect(overall(n1, .complaintRate).first?.severity == .critical)
        let restored = try JSONDecoder().decode(AlertState.self, from: JSONEncoder().encode(s1))
        #expect(restored == s1)
        #expect(restored.active.values.contains { $0.scope == .identity("a.example") })
        let (_, n2) = engine.evaluate(inputs: bad, previous: restored, now: at(minutes: 5))
        #expect(n2.isEmpty)
    }

    @Test func rateRulesAreNotJudgedBelowMinimumVolume() {
        let (state, notes) = engine.evaluate(inputs: AlertInputs(samples: F.hour(sends: 99, hard: 50, complaints: 20)),
                                             previous: AlertState(), now: now)
        #expect(notes.isEmpty)
        #expect(state.active.isEmpty)
    }

    @Test func deliveryRateWarnsOnlyWhenDeliveryEventsExist() {
        let (_, none) = engine.evaluate(inputs: AlertInputs(samples: F.hour(sends: 1000)), previous: AlertState(), now: now)
        #expect(none.isEmpty)
        let (_, low) = engine.evaluate(inputs: AlertInputs(samples: F.hour(sends: 1000, deliveries: 900)), previous: AlertState(), now: now)
        #expect(overall(low, .deliveryRate).first?.severity == .warning)
        #expect(overall(low, .deliveryRate).first?.value == 0.9)
    }

    /// Sends of the last complete hour and the same hour on each of the 7 previous days.
    private func volumeInputs(current: Int, history: [Int]) -> AlertInputs {
        var samples = [F.sample(hoursAgo: 1, .send, current, identity: "")]
        for (day, sends) in history.enumerated() {
            samples.append(F.sample(hoursAgo: 1 + 24 * Double(day + 1), .send, sends, identity: ""))
            // Other hours that must not count.
            samples.append(F.sample(hoursAgo: 2 + 24 * Double(day + 1), .send, 50_000, identity: ""))
        }
        return AlertInputs(samples: samples, lastFeedbackAt: now)
    }

    @Test(arguments: [
        (400, AlertSeverity?.some(.warning), 0.4),
        (3500, AlertSeverity?.some(.warning), 3.5),
        (1000, AlertSeverity?.none, 1.0),
        (500, AlertSeverity?.none, 0.5),     // exactly 50 %: not below
        (3000, AlertSeverity?.none, 3.0),    // exactly 300 %: not above
    ])
    func volumeAnomalyAgainstSameHourMedian(current: Int, expected: AlertSeverity?, ratio: Double) {
        // Median of these seven is 1000 (evaluated half past the hour: the last complete hour is the same).
        let inputs = volumeInputs(current: current, history: [900, 1000, 1100, 800, 1200, 950, 1050])
        let observation = engine.volumeObservation(inputs.samples, now: at(minutes: 30))
        #expect(observation?.severity == expected)
        #expect(observation?.value == ratio)
        let (_, notes) = engine.evaluate(inputs: inputs, previous: AlertState(), now: at(minutes: 30))
        #expect(overall(notes, .sendVolume).first?.severity == expected)
    }

    @Test func volumeRuleSkippedBelowMinimumMedian() {
        let inputs = volumeInputs(current: 0, history: [99, 99, 99, 99, 500, 500, 500])
        #expect(engine.volumeObservation(inputs.samples, now: now)?.severity == nil)
        let zero = volumeInputs(current: 0, history: [100, 100, 100, 100, 500, 500, 500])
        #expect(engine.volumeObservation(zero.samples, now: now)?.severity == .warning)
    }

    @Test(arguments: [(800, AlertSeverity?.none), (850, .warning), (960, .critical)])
    func quotaUse(sent: Int, expected: AlertSeverity?) {
        let inputs = AlertInputs(samples: F.hour(sends: sent), quota: SendQuota(max24HourSend: 1000))
        let (_, notes) = engine.evaluate(inputs: inputs, previous: AlertState(), now: now)
        #expect(overall(notes, .quotaUse).first?.severity == expected)
        let unlimited = AlertInputs(samples: F.hour(sends: sent), quota: SendQuota(max24HourSend: -1))
        #expect(overall(engine.evaluate(inputs: unlimited, previous: AlertState(), now: now).1, .quotaUse).isEmpty)
    }

    private func sendsEveryHour(_ hours: ClosedRange<Int>) -> [CounterSample] {
        hours.map { F.sample(hoursAgo: Double($0), .send, 10) }
    }

    /// Feedback silence with 10 sends an hour: armed (Delivery events seen) and any send counts.
    private var lowVolume: AlertEngine { AlertEngine(configuration: AlertConfiguration(feedbackSilenceMinimumSends: 1)) }

    @Test func feedbackSilenceWhileSendsContinue() throws {
        // Last bounce counted in the hour 8 h ago: feedback at the latest 7 h ago.
        let silent = AlertInputs(samples: sendsEveryHour(1...10) + [F.sample(hoursAgo: 8, .hardBounce, 1)], deliveryOrSendEventsSeen: true)
        let (_, notes) = lowVolume.evaluate(inputs: silent, previous: AlertState(), now: now)
        let alert = try #require(overall(notes, .feedbackSilence).first)
        #expect(alert.severity == .critical)
        #expect(alert.value == 7)

        let recent = AlertInputs(samples: sendsEveryHour(1...10) + [F.sample(hoursAgo: 5, .hardBounce, 1)], deliveryOrSendEventsSeen: true)
        #expect(overall(lowVolume.evaluate(inputs: recent, previous: AlertState(), now: now).1, .feedbackSilence).isEmpty)

        // The app's own last-feedback time wins over the counters.
        var told = silent
        told.lastFeedbackAt = now.addingTimeInterval(-3600)
        #expect(overall(lowVolume.evaluate(inputs: told, previous: AlertState(), now: now).1, .feedbackSilence).isEmpty)

        // Exactly 6 h of silence is enough.
        told.lastFeedbackAt = now.addingTimeInterval(-6 * 3600)
        #expect(overall(lowVolume.evaluate(inputs: told, previous: AlertState(), now: now).1, .feedbackSilence).count == 1)

        // No sends in the last 6 h: silence is expected.
        let idle = AlertInputs(samples: sendsEveryHour(7...10) + [F.sample(hoursAgo: 9, .hardBounce, 1)], deliveryOrSendEventsSeen: true)
        #expect(overall(lowVolume.evaluate(inputs: idle, previous: AlertState(), now: now).1, .feedbackSilence).isEmpty)
    }

    @Test func feedbackNeverSeenCountsFromFirstSend() {
        let young = AlertInputs(samples: sendsEveryHour(1...3), deliveryOrSendEventsSeen: true)
        #expect(overall(lowVolume.evaluate(inputs: young, previous: AlertState(), now: now).1, .feedbackSilence).isEmpty)
        let old = AlertInputs(samples: sendsEveryHour(1...6), deliveryOrSendEventsSeen: true)
        #expect(overall(lowVolume.evaluate(inputs: old, previous: AlertState(), now: now).1, .feedbackSilence).count == 1)
    }

    @Test func externalSignalsFireWhilePresentAndResolveWhenGone() throws {
        let signal = ExternalSignal(kind: .snsUnsubscribeConfirmation, detail: "arn:aws:sns:eu-west-1:1:ses", at: now)
        let paused = ExternalSignal(kind: .sesSendingPaused, detail: "SendingPausedException", at: now)
        let (s1, n1) = engine.evaluate(inputs: AlertInputs(samples: [], signals: [signal, paused]), previous: AlertState(), now: now)
        #expect(n1.map(\.rule) == [.sesSendingPaused, .snsUnsubscribed])
        #expect(n1.allSatisfy { $0.severity == .critical && $0.status == .firing })
        #expect(try #require(n1.last).message.contains("arn:aws:sns:eu-west-1:1:ses"))
        let (s2, n2) = engine.evaluate(inputs: AlertInputs(samples: []), previous: s1, now: at(minutes: 5))
        #expect(n2.map(\.status) == [.resolved, .resolved])
        #expect(s2.active.isEmpty)
    }

    @Test func slackTextEscapesMentionsAndLinks() throws {
        let note = AlertNotification(
            id: "x", rule: .bounceRate, severity: .critical, status: .firing, scope: .identity("<!channel>&co"),
            value: 0.03, threshold: 0.02, message: "bounce rate 3%", at: now
        )
        #expect(note.slackText == ":rotating_light: [CRITICAL] bounce_rate (identity:&lt;!channel&gt;&amp;co): bounce rate 3%")
        let payload = try #require(try JSONSerialization.jsonObject(with: note.slackPayload()) as? [String: String])
        #expect(payload == ["text": note.slackText])
    }

    @Test func notificationJSONRoundTrips() throws {
        let note = AlertNotification(id: "i", rule: .quotaUse, severity: .warning, status: .repeat, scope: .overall,
                                     value: 0.85, threshold: 0.8, message: "m", at: now)
        let data = try JSONEncoder().encode(note)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["scope"] as? String == "overall")
        #expect(object["status"] as? String == "repeat")
        #expect(object["rule"] as? String == "quota_use")
        #expect(try JSONDecoder().decode(AlertNotification.self, from: data) == note)
    }
}
