import Foundation
import Testing
import SluiceCore
@testable import SluiceApp
@testable import SluiceStore

/// The monitor on a real SQLite file, driven by hand with `evaluateOnce(now:)` (the app is built, not started).
struct MonitorWorkerTests {
    @Test func alertFiresOnceRepeatsAfterCoolDownAndResolves() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let app = try MonitorFixture.app(try MonitorFixture.configuration(databasePath: dir.databasePath, protection: "off"), clock: clock)
        defer { app.context.store.close() }
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 100, hardBounces: 10)
        let sink = RecordingSink()
        let worker = MonitorWorker(context: app.context, sinks: [sink])

        let first = try await worker.evaluateOnce(now: clock.now)
        let bounce = try #require(first.notifications.first { $0.rule == .bounceRate && $0.scope == .overall })
        #expect(bounce.status == .firing)
        #expect(bounce.severity == .critical)
        #expect(first.notifications.filter { $0.rule == .bounceRate && $0.scope == .overall }.count == 1)

        clock.advance(30)
        let quiet = try await worker.evaluateOnce(now: clock.now)
        #expect(quiet.notifications.isEmpty)

        clock.advance(31)
        let repeated = try await worker.evaluateOnce(now: clock.now)
        let again = try #require(repeated.notifications.first { $0.rule == .bounceRate && $0.scope == .overall })
        #expect(again.status == .repeat)
        #expect(again.id == bounce.id)

        // A clean, larger hour later on: the representative window now holds only clean sends.
        clock.advance(2 * 3600)
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 1000, deliveries: 1000)
        let cleared = try await worker.evaluateOnce(now: clock.now)
        let resolved = try #require(cleared.notifications.first { $0.rule == .bounceRate && $0.scope == .overall })
        #expect(resolved.status == .resolved)
        #expect(cleared.state.active.isEmpty)

        #expect(sink.notifications.filter { $0.id == bounce.id }.map(\.status) == [.firing, .repeat, .resolved])
        let recent = try await worker.service.alerts().recent
        #expect(recent.first?.status == .resolved)
        #expect(recent.contains { $0.id == bounce.id && $0.status == .firing })
    }

    /// The alert state is saved as notified before protection and gauges run: a step failing after it must
    /// not keep the notifications from the sinks (the next tick would treat them as sent).
    @Test func notificationsReachTheSinksWhenALaterStepFails() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let app = try MonitorFixture.app(try MonitorFixture.configuration(databasePath: dir.databasePath, protection: "off"), clock: clock)
        defer { app.context.store.close() }
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 100, hardBounces: 10)
        // From another connection: the suppression totals the gauges read last are gone, so that step fails.
        let other = try Database(path: dir.databasePath, readOnly: false, busyTimeoutMilliseconds: 1000)
        try other.execute("DROP TABLE suppression_counts")
        let sink = RecordingSink()
        let worker = MonitorWorker(context: app.context, sinks: [sink])
        await #expect(throws: StoreError.self) { try await worker.evaluateOnce(now: clock.now) }
        #expect(sink.notifications.contains { $0.rule == .bounceRate && $0.scope == .overall && $0.status == .firing })
        #expect(try await worker.service.alerts().open.contains { $0.rule == .bounceRate })
    }

    @Test func protectionPausesOnceAndAnOperatorResumeSticksUntilTheBreachClears() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let app = try MonitorFixture.app(try MonitorFixture.configuration(databasePath: dir.databasePath), clock: clock)
        defer { app.context.store.close() }
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 100, hardBounces: 10)
        let worker = MonitorWorker(context: app.context, sinks: [])

        let first = try await worker.evaluateOnce(now: clock.now)
        #expect(first.pausedAll)
        var state = try await app.context.sending.state()
        #expect(state.paused)
        #expect(state.source == .protection)
        #expect(state.reason?.contains("bounce rate") == true)

        _ = try await app.context.sending.resume()
        clock.advance(120)
        let afterResume = try await worker.evaluateOnce(now: clock.now)
        #expect(!afterResume.pausedAll)
        #expect(try await app.context.sending.state().paused == false)

        // The breach clears (clean volume), then a new one starts: protection pauses again.
        clock.advance(2 * 3600)
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 1000, deliveries: 1000)
        #expect(try await worker.evaluateOnce(now: clock.now).protection == .none)
        clock.advance(2 * 3600)
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 200, hardBounces: 40)
        let second = try await worker.evaluateOnce(now: clock.now)
        #expect(second.pausedAll)
        state = try await app.context.sending.state()
        #expect(state.paused && state.source == .protection)
    }

    @Test func aBreachThatStartsDuringAnOperatorPauseIsAppliedWhenThatPauseIsLifted() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let app = try MonitorFixture.app(try MonitorFixture.configuration(databasePath: dir.databasePath), clock: clock)
        defer { app.context.store.close() }
        _ = try await app.context.sending.pause(reason: "maintenance window", source: .operator, at: clock.now)
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 100, hardBounces: 10)
        let worker = MonitorWorker(context: app.context, sinks: [])

        let during = try await worker.evaluateOnce(now: clock.now)
        #expect(!during.pausedAll)
        #expect(try await app.context.sending.state().source == .operator)

        // The operator ends the maintenance pause; the breach still holds, so protection pauses now.
        _ = try await app.context.sending.resume()
        clock.advance(60)
        let after = try await worker.evaluateOnce(now: clock.now)
        #expect(after.pausedAll)
        let state = try await app.context.sending.state()
        #expect(state.paused && state.source == .protection)
    }

    @Test func sesSendEventsAndTheGatesOwnSendsOfTheSameMailCountOnce() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let app = try MonitorFixture.app(try MonitorFixture.configuration(databasePath: dir.databasePath, protection: "off"), clock: clock)
        defer { app.context.store.close() }
        // The gate sent 200 and SES published a Send and a Delivery event for each; another sender on the
        // same account sent 300 outside the gate from other.example, seen only through SES's Send events.
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 200, deliveries: 200, sesSends: 200)
        try await MonitorFixture.seed(app.context, at: clock.now, identity: "other.example", sends: 0, deliveries: 300, sesSends: 300)
        clock.advance(3600)
        let worker = MonitorWorker(context: app.context, sinks: [])
        let outcome = try await worker.evaluateOnce(now: clock.now)
        let day = try #require(outcome.report.overall(.last24Hours))
        #expect(day.sends == 500)
        #expect(day.deliveryRate == 1.0)
        #expect(!outcome.state.active.keys.contains { $0.hasPrefix(AlertRule.deliveryRate.rawValue) })
        let gateOnly = try #require(outcome.report.identities.first { $0.identity == "example.com" }?.window(.last24Hours))
        #expect(gateOnly.sends == 200)
    }

    @Test func pauseIdentityModePausesOnlyTheBreachingIdentity() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let app = try MonitorFixture.app(
            try MonitorFixture.configuration(databasePath: dir.databasePath, protection: "pause_identity"), clock: clock
        )
        defer { app.context.store.close() }
        try await MonitorFixture.seed(app.context, at: clock.now, identity: "bad.example", sends: 100, complaints: 3)
        try await MonitorFixture.seed(app.context, at: clock.now, identity: "good.example", sends: 900, deliveries: 900)
        let worker = MonitorWorker(context: app.context, sinks: [])

        let outcome = try await worker.evaluateOnce(now: clock.now)
        #expect(outcome.pausedIdentities == ["bad.example"])
        let state = try await app.context.sending.state()
        #expect(!state.paused)
        #expect(Set(state.pausedIdentities.keys) == ["bad.example"])
        #expect(try await app.context.sending.allowsSending(identity: "good.example"))
        #expect(try await !app.context.sending.allowsSending(identity: "bad.example"))
        #expect(outcome.report.paused.identities == ["bad.example"])
    }

    @Test func alertStateSurvivesAnApplicationRestart() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let configuration = try MonitorFixture.configuration(databasePath: dir.databasePath, protection: "off")
        let firstApp = try MonitorFixture.app(configuration, clock: clock)
        try await MonitorFixture.seed(firstApp.context, at: clock.now, sends: 100, complaints: 3)
        let fired = try await MonitorWorker(context: firstApp.context, sinks: []).evaluateOnce(now: clock.now)
        let complaint = try #require(fired.notifications.first { $0.rule == .complaintRate && $0.scope == .overall })
        #expect(complaint.status == .firing)
        await firstApp.shutdown()

        clock.advance(30)
        let secondApp = try MonitorFixture.app(configuration, clock: clock)
        defer { secondApp.context.store.close() }
        let worker = MonitorWorker(context: secondApp.context, sinks: [])
        let after = try await worker.evaluateOnce(now: clock.now)
        #expect(after.notifications.isEmpty)
        #expect(after.state.active.values.contains { $0.id == complaint.id })
        let view = try await worker.service.alerts()
        #expect(view.open.contains { $0.id == complaint.id })
        #expect(view.recent.contains { $0.id == complaint.id })
    }

    @Test func unsubscribedTopicAndSESPauseRaiseSignalAlerts() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let topic = "arn:aws:sns:us-east-1:123456789012:ses-feedback"
        let app = try MonitorFixture.app(
            try MonitorFixture.configuration(databasePath: dir.databasePath, extra: [("sns.topic_arns", .array([.string(topic)]))]), clock: clock)
        defer { app.context.store.close() }
        try await app.context.store.recordSubscription(SNSSubscriptionRecord(
            topicArn: topic, endpoint: "default", state: .unsubscribed, updatedAt: clock.now
        ))
        _ = try await app.context.sending.pause(reason: "SendingPausedException", source: .ses, at: clock.now)
        let outcome = try await MonitorWorker(context: app.context, sinks: []).evaluateOnce(now: clock.now)
        let sns = try #require(outcome.notifications.first { $0.rule == .snsUnsubscribed })
        #expect(sns.severity == .critical)
        #expect(sns.message.contains(topic))
        let ses = try #require(outcome.notifications.first { $0.rule == .sesSendingPaused })
        #expect(ses.message.contains("SendingPausedException"))
        // The SES pause is not protection's to touch.
        #expect(try await app.context.sending.state().source == .ses)
    }

    /// A topic moved to another endpoint (`/sns` unsubscribed, `/sns/new` confirmed) still feeds Sluice: no
    /// alert; once no endpoint of it is confirmed, the cut is raised.
    @Test func anUnsubscribedEndpointIsNoCutWhileAnotherIsConfirmed() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let topic = "arn:aws:sns:us-east-1:123456789012:ses-feedback"
        let app = try MonitorFixture.app(
            try MonitorFixture.configuration(databasePath: dir.databasePath, extra: [("sns.topic_arns", .array([.string(topic)]))]), clock: clock)
        defer { app.context.store.close() }
        try await app.context.store.recordSubscription(SNSSubscriptionRecord(
            topicArn: topic, endpoint: "default", state: .unsubscribed, updatedAt: clock.now))
        try await app.context.store.recordSubscription(SNSSubscriptionRecord(
            topicArn: topic, endpoint: "new", state: .confirmed, updatedAt: clock.now))
        let moved = try await MonitorWorker(context: app.context, sinks: []).evaluateOnce(now: clock.now)
        #expect(!moved.notifications.contains { $0.rule == .snsUnsubscribed })
        try await app.context.store.recordSubscription(SNSSubscriptionRecord(
            topicArn: topic, endpoint: "new", state: .unsubscribed, updatedAt: clock.now))
        let cut = try await MonitorWorker(context: app.context, sinks: []).evaluateOnce(now: clock.now)
        #expect(cut.notifications.contains { $0.rule == .snsUnsubscribed })
    }

    @Test func runLoopEvaluatesUntilCancelled() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let app = try MonitorFixture.app(try MonitorFixture.configuration(databasePath: dir.databasePath, protection: "off"), clock: clock)
        defer { app.context.store.close() }
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 100, hardBounces: 10)
        let sink = RecordingSink()
        let worker = MonitorWorker(context: app.context, interval: .milliseconds(20), sinks: [sink])
        let task = Task { await worker.run() }
        for _ in 0..<500 where sink.notifications.isEmpty {
            try await Task.sleep(for: .milliseconds(10))
        }
        task.cancel()
        await task.value
        #expect(sink.notifications.contains { $0.rule == .bounceRate && $0.status == .firing })
        let metrics = app.context.metrics.registry.render()
        #expect(metrics.contains("sluice_monitor_evaluations_total{result=\"ok\"}"))
    }
}

extension MonitorWorkerTests {
    @Test func configuredQuotaIsJudgedAndPublished() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let configuration = try MonitorFixture.configuration(
            databasePath: dir.databasePath, protection: "off", extra: [("ses.max_24h_send", .integer(1000))]
        )
        let app = try MonitorFixture.app(configuration, clock: clock)
        defer { app.context.store.close() }
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 900, deliveries: 900)
        let outcome = try await MonitorWorker(context: app.context, sinks: []).evaluateOnce(now: clock.now)
        #expect(outcome.report.quota.use == 0.9)
        let quota = try #require(outcome.notifications.first { $0.rule == .quotaUse })
        #expect(quota.severity == .warning)
        #expect(app.context.metrics.registry.render().contains("sluice_quota_use_ratio 0.9\n"))
    }
}
