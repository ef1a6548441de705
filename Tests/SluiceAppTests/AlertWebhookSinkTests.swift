import Foundation
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceApp

struct AlertWebhookSinkTests {
    static let fast = WebhookAlertSink.Settings(maxQueue: 10, maxAttempts: 3, backoff: Backoff(base: 0.01, cap: 0.05), timeout: .seconds(2))

    static func notification(_ i: Int, status: AlertStatus = .firing) -> AlertNotification {
        AlertNotification(
            id: "bounce_rate|overall|\(i)", rule: .bounceRate, severity: .critical, status: status, scope: .identity("a<b>&c"),
            value: 0.1, threshold: 0.02, message: "bounce rate 10% over the representative window", at: MonitorFixture.start
        )
    }

    static func counter(_ metrics: AppMetrics, _ line: String) -> Int? {
        metrics.registry.render().split(separator: "\n").first { $0.hasPrefix(line + " ") }
            .flatMap { Int($0.split(separator: " ").last ?? "") }
    }

    @Test func retriesAServerErrorThenDeliversTheJSONBody() async throws {
        let receiver = try WebhookReceiver(statuses: [.internalServerError, .serviceUnavailable])
        let metrics = AppMetrics()
        let sink = WebhookAlertSink(url: receiver.url, settings: Self.fast, metrics: metrics, logger: MonitorFixture.silent)
        await sink.submit([Self.notification(1)])
        #expect(await receiver.waitFor(3))
        let bodies = receiver.payloads
        #expect(bodies.count == 3)
        let last = try #require(bodies.last)
        #expect(last["id"] as? String == "bounce_rate|overall|1")
        #expect(last["scope"] as? String == "identity:a<b>&c")
        #expect(last["at"] as? String == "2026-03-02T10:30:00Z")
        #expect(last["threshold"] as? Double == 0.02)
        let text = try #require(last["text"] as? String)
        #expect(text.contains("identity:a&lt;b&gt;&amp;c"))
        for _ in 0..<200 where Self.counter(metrics, "sluice_alert_webhook_delivered_total") != 1 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(Self.counter(metrics, "sluice_alert_webhook_delivered_total") == 1)
        await sink.shutdown()
        await receiver.stop()
    }

    @Test func aRejectedNotificationIsNotRetried() async throws {
        let receiver = try WebhookReceiver(statuses: [.badRequest])
        let metrics = AppMetrics()
        let sink = WebhookAlertSink(url: receiver.url, settings: Self.fast, metrics: metrics, logger: MonitorFixture.silent)
        await sink.submit([Self.notification(1), Self.notification(2, status: .resolved)])
        #expect(await receiver.waitFor(2))
        #expect(receiver.payloads.compactMap { $0["id"] as? String } == ["bounce_rate|overall|1", "bounce_rate|overall|2"])
        #expect(Self.counter(metrics, "sluice_alert_webhook_dropped_total{reason=\"rejected\"}") == 1)
        await sink.shutdown()
        await receiver.stop()
    }

    @Test func anUnreachableWebhookDropsAfterBoundedAttemptsAndOverflowDropsTheOldest() async throws {
        // A port that was just free: connections are refused.
        let closed = try WebhookReceiver()
        let url = closed.url
        await closed.stop()
        let metrics = AppMetrics()
        let settings = WebhookAlertSink.Settings(maxQueue: 2, maxAttempts: 2, backoff: Backoff(base: 0.01, cap: 0.02), timeout: .seconds(1))
        let sink = WebhookAlertSink(url: url, settings: settings, metrics: metrics, logger: MonitorFixture.silent)
        await sink.submit((1...6).map { Self.notification($0) })
        #expect(await sink.pending <= 2)
        for _ in 0..<500 {
            if await sink.pending == 0, Self.counter(metrics, "sluice_alert_webhook_dropped_total{reason=\"attempts_exhausted\"}") ?? 0 >= 2 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let full = Self.counter(metrics, "sluice_alert_webhook_dropped_total{reason=\"queue_full\"}") ?? 0
        let exhausted = Self.counter(metrics, "sluice_alert_webhook_dropped_total{reason=\"attempts_exhausted\"}") ?? 0
        // Every notification is accounted for: delivered to nobody, dropped for one reason or the other.
        #expect(full >= 3)
        #expect(full + exhausted == 6)
        #expect(Self.counter(metrics, "sluice_alert_webhook_delivered_total") == 0)
        await sink.shutdown()
    }

    @Test func submitReturnsWhileTheReceiverHangs() async throws {
        // A receiver that never answers in time must not hold up the caller of submit.
        let receiver = try WebhookReceiver(statuses: [.internalServerError])
        let metrics = AppMetrics()
        let slow = WebhookAlertSink.Settings(
            maxQueue: 5, maxAttempts: 5, backoff: Backoff(base: 30, cap: 30), timeout: .seconds(2), shutdownGrace: .milliseconds(50)
        )
        let sink = WebhookAlertSink(url: receiver.url, settings: slow, metrics: metrics, logger: MonitorFixture.silent)
        await sink.submit([Self.notification(1)])
        #expect(await receiver.waitFor(1))
        // The first attempt failed and the retry waits ~15-30 s; a second submit still returns at once.
        await sink.submit([Self.notification(2)])
        #expect(await sink.pending == 1)
        await sink.shutdown()
        // The one waiting for its retry and the one queued are dropped as "shutdown", not silently.
        #expect(Self.counter(metrics, "sluice_alert_webhook_dropped_total{reason=\"shutdown\"}") == 2)
        #expect(await sink.pending == 0)
        await receiver.stop()
    }

    @Test func shutdownLetsPendingNotificationsGoOutWithinTheGrace() async throws {
        let receiver = try WebhookReceiver()
        let metrics = AppMetrics()
        let sink = WebhookAlertSink(url: receiver.url, settings: Self.fast, metrics: metrics, logger: MonitorFixture.silent)
        await sink.submit((1...3).map { Self.notification($0) })
        await sink.shutdown()
        #expect(receiver.received.count == 3)
        #expect(Self.counter(metrics, "sluice_alert_webhook_delivered_total") == 3)
        // Stopped: later notifications are refused.
        await sink.submit([Self.notification(4)])
        #expect(await sink.pending == 0)
        await receiver.stop()
    }
}
