import Foundation
import Testing
import SluiceCore
@testable import SluiceApp
@testable import SluiceStore

/// The monitor on a real SQLite file against the review findings: small-volume complaints, a resumed
/// episode that worsens, a topic no longer configured, many identities, a failing alert-state save, and the
/// gauges of an instance that is not the leader.
struct MonitorHardeningTests {
    static let topic = "arn:aws:sns:us-east-1:123456789012:ses-feedback"

    @Test func twoComplaintsInAThousandSendsNeitherPauseNorGoCriticalButAThirdDoes() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let app = try MonitorFixture.app(try MonitorFixture.configuration(databasePath: dir.databasePath), clock: clock)
        defer { app.context.store.close() }
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 1000, complaints: 2, deliveries: 998)
        let worker = MonitorWorker(context: app.context, sinks: [])

        let first = try await worker.evaluateOnce(now: clock.now)
        #expect(!first.pausedAll)
        #expect(first.protection == .none)
        #expect(!first.notifications.contains { $0.rule == .complaintRate })
        #expect(try await app.context.sending.state().paused == false)
        #expect(first.report.overall(.representative)?.status(.complaint) == .insufficientEvents)

        clock.advance(60)
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 0, complaints: 1)
        let second = try await worker.evaluateOnce(now: clock.now)
        #expect(second.pausedAll)
        #expect(second.notifications.contains { $0.rule == .complaintRate && $0.scope == .overall && $0.severity == .critical })
        let state = try await app.context.sending.state()
        #expect(state.paused && state.source == .protection)
    }

    @Test func aResumedEpisodePausesAgainOnceTheBreachReachesAWSsReviewLevel() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let app = try MonitorFixture.app(try MonitorFixture.configuration(databasePath: dir.databasePath), clock: clock)
        defer { app.context.store.close() }
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 1000, hardBounces: 42, deliveries: 958)  // 4.2 %
        let worker = MonitorWorker(context: app.context, sinks: [])
        #expect(try await worker.evaluateOnce(now: clock.now).pausedAll)

        _ = try await app.context.sending.resume()
        clock.advance(60)
        #expect(try await !worker.evaluateOnce(now: clock.now).pausedAll)
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 0, hardBounces: 3)   // 4.5 %: not 1.25 times 4.2 %
        clock.advance(60)
        #expect(try await !worker.evaluateOnce(now: clock.now).pausedAll)
        #expect(try await app.context.sending.state().paused == false)

        try await MonitorFixture.seed(app.context, at: clock.now, sends: 0, hardBounces: 5)   // 5 %: AWS's review level
        clock.advance(60)
        let again = try await worker.evaluateOnce(now: clock.now)
        #expect(again.pausedAll)
        let state = try await app.context.sending.state()
        #expect(state.paused && state.source == .protection)
        #expect(state.reason?.contains("paused again: overall bounce rate 5% reached AWS's review level of 5%") == true, "\(state.reason ?? "")")
    }

    @Test func anUnsubscribedTopicNoLongerConfiguredResolvesItsAlert() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let other = "arn:aws:sns:us-east-1:123456789012:other"
        let before = try MonitorFixture.configuration(databasePath: dir.databasePath, protection: "off", extra: [
            ("sns.topic_arns", .array([.string(Self.topic), .string(other)])),
        ])
        let firstApp = try MonitorFixture.app(before, clock: clock)
        try await firstApp.context.store.recordSubscription(SNSSubscriptionRecord(
            topicArn: Self.topic, endpoint: "default", state: .unsubscribed, updatedAt: clock.now))
        let fired = try await MonitorWorker(context: firstApp.context, sinks: []).evaluateOnce(now: clock.now)
        let alert = try #require(fired.notifications.first { $0.rule == .snsUnsubscribed })
        #expect(alert.status == .firing)
        await firstApp.shutdown()

        // The operator took the topic out of sns.topic_arns: its feedback would be refused anyway.
        clock.advance(60)
        let after = try MonitorFixture.configuration(databasePath: dir.databasePath, protection: "off", extra: [
            ("sns.topic_arns", .array([.string(other)])),
        ])
        let secondApp = try MonitorFixture.app(after, clock: clock)
        defer { secondApp.context.store.close() }
        let cleared = try await MonitorWorker(context: secondApp.context, sinks: []).evaluateOnce(now: clock.now)
        #expect(cleared.notifications.filter { $0.rule == .snsUnsubscribed }.map(\.status) == [.resolved])
        #expect(cleared.notifications.first { $0.rule == .snsUnsubscribed }?.id == alert.id)
        #expect(!cleared.state.active.keys.contains { $0.hasPrefix("sns_unsubscribed") })
    }

    /// Three hard bounces in 30 sends for each of `count` identities, in one SNS message.
    static func seedIdentities(_ context: AppContext, count: Int, at: Date) async throws {
        var events: [RecipientEvent] = []
        for i in 0..<count {
            let identity = "sender\(i).example"
            try await context.store.recordSends(identity: identity, count: 30, at: at)
            for j in 0..<3 {
                events.append(RecipientEvent(kind: .hardBounce, address: "gone\(j)-\(i)@recipients.test", sesMessageId: "ses-\(i)-\(j)",
                                             timestamp: HourMath.floor(at).addingTimeInterval(60), identity: identity, subtype: "General"))
            }
        }
        let message = InboundMessage(messageId: UUID().uuidString, type: "Notification", topicArn: topic, timestamp: at, receivedAt: at,
                                     endpoint: "default", rawCompressed: [0])
        _ = try await context.store.ingest(message, events: events, policy: context.policy)
    }

    @Test func manyBreachingIdentitiesKeepTheAlertStateSavableAndProtectionPauses() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let app = try MonitorFixture.app(try MonitorFixture.configuration(databasePath: dir.databasePath), clock: clock)
        defer { app.context.store.close() }
        try await Self.seedIdentities(app.context, count: 300, at: clock.now)
        let sink = RecordingSink()
        let worker = MonitorWorker(context: app.context, sinks: [sink])

        let outcome = try await worker.evaluateOnce(now: clock.now)
        #expect(outcome.pausedAll)
        let saved = try #require(try await app.context.store.setting(MonitorStateStore.alertStateKey))
        #expect(saved.utf8.count < 1 << 20)
        #expect(try await worker.service.state.alertState() == outcome.state)
        let aggregate = try #require(outcome.state.active["bounce_rate|identity:*"])
        #expect(aggregate.value == 100)
        #expect(outcome.state.active.values.filter { $0.rule == .bounceRate && $0.scope != .overall && $0.scope != .otherIdentities }.count == 200)
        #expect(sink.notifications.first?.scope == .overall)

        clock.advance(30)  // within the cool-down: nothing repeats, nothing flaps
        #expect(try await worker.evaluateOnce(now: clock.now).notifications.isEmpty)
    }

    @Test func protectionPausesEvenWhenTheAlertStateCannotBeSaved() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let app = try MonitorFixture.app(try MonitorFixture.configuration(databasePath: dir.databasePath), clock: clock)
        defer { app.context.store.close() }
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 100, hardBounces: 10)
        // From another connection: every write of the alert state is refused.
        let other = try Database(path: dir.databasePath, readOnly: false, busyTimeoutMilliseconds: 1000)
        for event in ["INSERT", "UPDATE"] {
            try other.execute("""
                CREATE TRIGGER refuse_alert_state_\(event.lowercased()) BEFORE \(event) ON settings
                WHEN NEW.key = 'monitoring.alert_state' BEGIN SELECT RAISE(ABORT, 'refused by test'); END
                """)
        }
        let sink = RecordingSink()
        let worker = MonitorWorker(context: app.context, sinks: [sink])

        await #expect(throws: StoreError.self) { try await worker.evaluateOnce(now: clock.now) }
        let state = try await app.context.sending.state()
        #expect(state.paused && state.source == .protection, "\(state)")
        // Nothing was notified that the saved state does not know of: the next good tick sends it.
        #expect(sink.notifications.isEmpty)

        try other.execute("DROP TRIGGER refuse_alert_state_insert")
        try other.execute("DROP TRIGGER refuse_alert_state_update")
        clock.advance(60)
        let recovered = try await worker.evaluateOnce(now: clock.now)
        #expect(recovered.notifications.contains { $0.rule == .bounceRate && $0.scope == .overall && $0.status == .firing })
        #expect(sink.notifications.contains { $0.rule == .bounceRate && $0.status == .firing })
    }

    @Test func anInstanceThatIsNotTheLeaderDoesNotExportTheLeadersGaugesUntilItLeadsAgain() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let app = try MonitorFixture.app(
            try MonitorFixture.configuration(databasePath: dir.databasePath, protection: "off", extra: [("ses.max_24h_send", .integer(1000))]),
            clock: clock)
        defer { app.context.store.close() }
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 100, hardBounces: 10)
        let worker = MonitorWorker(context: app.context, sinks: [])
        func metrics() -> String { app.context.metrics.registry.render() }
        let leaderOnly = ["sluice_bounce_rate", "sluice_complaint_rate", "sluice_delivery_rate", "sluice_window_sends",
                          "sluice_quota_use_ratio", "sluice_alert_active"]

        try await worker.evaluateOnce(now: clock.now)
        var text = metrics()
        #expect(text.contains("sluice_monitor_leader 1\n"))
        #expect(text.contains("sluice_bounce_rate{window=\"24h\"} 0.1\n"))
        #expect(text.contains("sluice_quota_use_ratio 0.1\n"))
        // Open overall and for the one identity.
        #expect(text.contains("sluice_alert_active{rule=\"bounce_rate\",severity=\"critical\"} 2\n"))

        // Leadership moved away; an operator paused meanwhile (shared state every instance shows).
        _ = try await app.context.sending.pause(reason: "maintenance", source: .operator, at: clock.now)
        await worker.follow(now: clock.now)
        text = metrics()
        for name in leaderOnly {
            // Neither a sample nor the family's HELP/TYPE lines.
            #expect(!text.contains(name), "\(name) exported by a follower")
        }
        #expect(!text.contains("NaN"))
        #expect(text.contains("sluice_monitor_leader 0\n"))
        #expect(text.contains("sluice_sending_paused 1\n"))
        #expect(text.contains("sluice_suppressions{reason=\"hard_bounce\"} 10\n"))
        // A second follower tick finds nothing left to remove.
        await worker.follow(now: clock.now)
        #expect(metrics() == text)

        // Leading again: the next evaluation exports every series once more.
        clock.advance(60)
        try await worker.evaluateOnce(now: clock.now)
        text = metrics()
        #expect(text.contains("sluice_monitor_leader 1\n"))
        for window in StatsWindow.allCases {
            for name in leaderOnly.prefix(4) {
                #expect(text.contains("\(name){window=\"\(window.rawValue)\"} "), "\(name) \(window.rawValue)")
            }
        }
        #expect(text.contains("# HELP sluice_bounce_rate Hard bounces / sends over the window (fraction; present only on the monitor leader).\n"))
        #expect(text.contains("sluice_bounce_rate{window=\"24h\"} 0.1\n"))
        #expect(text.contains("sluice_quota_use_ratio 0.1\n"))
        for rule in AlertRule.allCases {
            for severity in AlertSeverity.allCases {
                #expect(text.contains("sluice_alert_active{rule=\"\(rule.rawValue)\",severity=\"\(severity.rawValue)\"} "))
            }
        }
        #expect(!text.contains("NaN"))
    }
}
