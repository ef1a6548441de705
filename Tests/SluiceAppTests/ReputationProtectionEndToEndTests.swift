import Foundation
import SluiceCore
import SluiceHTTP
import SluiceTestSupport
import Testing
@testable import SluiceApp

/// The whole loop: signed SNS complaint and bounce traffic over the real endpoint pushes the rates
/// over the critical thresholds → the webhook receives the alert, the send gate pauses itself, a
/// message queued meanwhile is not sent until an operator resumes.
@Suite(.serialized)
struct ReputationProtectionEndToEndTests {
    static let token = "e2e-token"

    @Test func feedbackOverThresholdsAlertsPausesAndHoldsTheQueueUntilResume() async throws {
        let webhook = try WebhookReceiver()
        let harness = try await SNSAppHarness.make(extra: [
            "SLUICE_MONITORING_WEBHOOK_URL": webhook.url,
            "SLUICE_API_TOKENS": Self.token,
            "SLUICE_SES_TRANSPORT": "outbox",
            "SLUICE_MONITORING_PROTECTION": "pause",
        ], clock: SNSTestClock.live())
        try await withFixture(webhook) { webhook in
            try await withFixture(harness) { harness in
                let context = harness.context

                // 200 recipients went out for example.org in the last hour (what the send gate counts).
                try await context.store.recordSends(identity: "example.org", count: 200, at: context.now())
                // Feedback through the real endpoint: 3 complaints (1.5% ≥ 0.1%, and the minimum of 3 events) and
                // 12 hard bounces (6% ≥ 5%).
                var payloads = (0..<3).map { SESPayload.complaint("complainer\($0)@example.net") }
                payloads += (0..<12).map { SESPayload.bounce("gone\($0)@example.net") }
                for payload in payloads {
                    let envelope = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: payload)
                    let response = try await harness.post(envelope)
                    #expect(response.status == 200, "\(response.bodyText)")
                }
                #expect(try await context.store.suppression(for: "complainer0@example.net", scope: nil, at: context.now())?.reason == .complaint)

                // One evaluation of the monitor (the service's worker runs the same code every minute).
                let monitor = MonitorWorker(context: context)
                let outcome = try await monitor.evaluateOnce(now: context.now())
                #expect(outcome.notifications.contains { $0.rule == .complaintRate && $0.severity == .critical })

                #expect(await webhook.waitFor(outcome.notifications.count))
                let alerts = webhook.payloads
                #expect(alerts.contains { ($0["rule"] as? String) == "complaint_rate" && ($0["severity"] as? String) == "critical" })
                #expect(alerts.allSatisfy { ($0["text"] as? String)?.isEmpty == false }, "Slack-compatible text on every alert")

                let paused = try await context.sending.state()
                #expect(paused.paused && paused.source == .protection, "\(paused)")

                // A message accepted while paused stays queued.
                let api = try HTTPClient(configuration: HTTPClientConfiguration(maxIdleConnectionsPerHost: 0))
                var headers = HTTPHeaders()
                headers.set("Authorization", "Bearer \(Self.token)")
                headers.set("Content-Type", "application/json")
                let base = "http://127.0.0.1:\(harness.port)"
                let accepted = try await api.execute(HTTPClientRequest(
                    method: "POST", url: base + "/v1/messages", headers: headers,
                    body: Array(#"{"from":"sender@example.org","to":["reader@example.com"],"subject":"hi","text":"hello"}"#.utf8)))
                #expect(accepted.status == 202, "\(accepted.bodyText)")
                let id = try #require((try JSONSerialization.jsonObject(with: Data(accepted.body)) as? [String: Any])?["id"] as? String)

                func state() async throws -> String? {
                    let response = try await api.execute(HTTPClientRequest(url: base + "/v1/messages/\(id)", headers: headers))
                    return (try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["state"] as? String
                }
                try await Task.sleep(for: .seconds(2))
                #expect(try await state() == "queued", "sending must stay paused")

                let resumed = try await api.execute(HTTPClientRequest(method: "POST", url: base + "/v1/sending/resume", headers: headers))
                #expect(resumed.status == 200)
                var final: String?
                for _ in 0..<100 {
                    final = try await state()
                    if final == "sent" { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(final == "sent", "after resume the queued message goes out (outbox transport)")
            }
        }
    }
}
