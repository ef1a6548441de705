import Foundation
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceApp

/// The started service: its own monitor worker fires at start, the webhook on 127.0.0.1 receives the alert,
/// protection pauses sending, and the routes show and change it.
struct MonitorEndToEndTests {
    @Test func breachNotifiesTheWebhookPausesSendingAndTheAPIShowsIt() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let receiver = try WebhookReceiver()
        let clock = TestClock(MonitorFixture.start)
        let configuration = try MonitorFixture.configuration(databasePath: dir.databasePath, webhookURL: receiver.url)
        let app = try MonitorFixture.app(configuration, clock: clock)
        try await MonitorFixture.seed(app.context, at: clock.now, sends: 100, hardBounces: 10)
        try app.start()
        let api = try TestAPI(port: app.port)

        // The overall rate and the one identity's rate both breach: two notifications.
        #expect(await receiver.waitFor(2))
        let payload = try #require(receiver.payloads.first { $0["rule"] as? String == "bounce_rate" && $0["scope"] as? String == "overall" })
        #expect(receiver.payloads.contains { $0["rule"] as? String == "bounce_rate" && $0["scope"] as? String == "identity:example.com" })
        #expect(payload["status"] as? String == "firing")
        #expect(payload["severity"] as? String == "critical")
        #expect((payload["text"] as? String)?.contains("[CRITICAL] bounce_rate") == true)
        #expect(payload["id"] is String && payload["at"] is String && payload["message"] is String)
        #expect(abs((payload["value"] as? Double ?? 0) - 0.1) < 1e-9)

        // The worker saves the pause before it hands notifications to the sinks.
        var sending = try await api.json("GET", "/v1/sending")
        #expect(sending["paused"] as? Bool == true)
        #expect(sending["source"] as? String == "protection")
        #expect((sending["reason"] as? String)?.contains("bounce rate") == true)
        #expect(sending["since"] is String)

        let stats = try await api.json("GET", "/v1/stats")
        let paused = try #require(stats["paused"] as? [String: Any])
        #expect(paused["paused"] as? Bool == true)
        #expect((paused["reason"] as? String)?.isEmpty == false)
        let windows = try #require(stats["windows"] as? [[String: Any]])
        #expect(windows.compactMap { $0["name"] as? String } == ["24h", "7d", "representative"])
        let day = try #require(windows.first)
        #expect(day["sends"] as? Int == 100)
        #expect(day["hard_bounces"] as? Int == 10)
        #expect(abs((day["bounce_rate"] as? Double ?? 0) - 0.1) < 1e-9)
        #expect(stats["quota"] is [String: Any] && stats["identities"] is [Any] && stats["generated_at"] is String)

        let alerts = try await api.json("GET", "/v1/alerts")
        let open = try #require(alerts["open"] as? [[String: Any]])
        #expect(open.contains { $0["rule"] as? String == "bounce_rate" && $0["started_at"] is String })
        #expect((alerts["recent"] as? [Any])?.isEmpty == false)

        let metrics = try await api.request("GET", "/metrics", token: nil).bodyText
        #expect(metrics.contains("sluice_bounce_rate{window=\"24h\"} 0.1"))
        #expect(metrics.contains("sluice_complaint_rate{window=\"representative\"} 0"))
        #expect(metrics.contains("sluice_delivery_rate{window=\"7d\"}"))
        #expect(metrics.contains("sluice_alert_active{rule=\"bounce_rate\",severity=\"critical\"} 2"))
        #expect(metrics.contains("sluice_sending_paused 1"))
        #expect(metrics.contains("sluice_suppressions{reason=\"hard_bounce\"} 10"))
        #expect(!metrics.contains("sluice_quota_use_ratio"))

        let page = try await api.request("GET", "/", token: nil)
        #expect(page.status == 200)
        #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(page.bodyText.contains("Sending is PAUSED"))
        #expect(page.bodyText.contains("<h2>Open alerts</h2>") && page.bodyText.contains("bounce_rate"))
        #expect(page.bodyText.contains("<svg"))

        // Paused is not unready: the service still ingests feedback and accepts mail.
        #expect(try await api.request("GET", "/readyz", token: nil).status == 200)

        let resumed = try await api.json("POST", "/v1/sending/resume")
        #expect(resumed["paused"] as? Bool == false)
        sending = try await api.json("GET", "/v1/sending")
        #expect(sending["paused"] as? Bool == false)
        #expect(try await api.request("GET", "/metrics", token: nil).bodyText.contains("sluice_sending_paused 0"))

        await app.shutdown()
        await receiver.stop()
    }

    @Test func monitoringRoutesNeedTheBearerTokenButTheStatusPageDoesNot() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let app = try MonitorFixture.app(try MonitorFixture.configuration(databasePath: dir.databasePath), clock: clock)
        try app.start()
        let api = try TestAPI(port: app.port)
        for (method, path) in [("GET", "/v1/stats"), ("GET", "/v1/alerts"), ("GET", "/v1/sending"),
                               ("POST", "/v1/sending/pause"), ("POST", "/v1/sending/resume")] {
            #expect(try await api.request(method, path, token: nil).status == 401, "\(method) \(path)")
            #expect(try await api.request(method, path, token: "wrong").status == 401, "\(method) \(path)")
        }
        #expect(try await app.context.sending.state().paused == false)
        let page = try await api.request("GET", "/", token: nil)
        #expect(page.status == 200)
        #expect(page.bodyText.contains("Sending is active"))
        await app.shutdown()
    }
}
