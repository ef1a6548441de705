import SluiceTestSupport
import Foundation
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceApp

/// The send gate against a local SES v2 stand-in (plain HTTP, `ses.endpoint`, static keys from the environment).
struct SendStandInTests {
    private func start(_ standIn: SESStandIn, settings: [String: TOMLValue] = [:]) async throws -> SendTestApp {
        var all: [String: TOMLValue] = [
            "ses.transport": .string("ses"), "ses.endpoint": .string(standIn.endpoint), "ses.max_send_rate": .float(100),
        ]
        all.merge(settings) { $1 }
        return try await SendTestApp.start(settings: all, environment: SendTestApp.staticKeys)
    }

    /// Throttling is the account's state, not the message's: the retry spends no attempt.
    @Test func throttlingIsRetriedWithBackoffWithoutSpendingAnAttempt() async throws {
        let standIn = try SESStandIn(script: [TestHTTPServer.Response.sesError("TooManyRequestsException", status: 429, message: "Maximum sending rate exceeded.")])
        let app = try await start(standIn)
        try await withFixture(app) { app in
            let accepted = try await app.post(SendTestApp.message(to: ["one@example.net"]))
            #expect(accepted.status == 202)
            #expect(accepted.state == "queued")
            let id = try #require(accepted.id)
            let sent = try await app.waitForState(id, ["sent", "failed"])
            #expect(sent.state == "sent")
            #expect(sent.json["attempts"] as? Int == 1)
            #expect((sent.json["ses_message_id"] as? String)?.hasPrefix("stand-in-") == true)
            #expect((sent.json["error"] as? String)?.contains("TooManyRequestsException") == true)
            #expect(standIn.sendRequests.count == 2)
            // Every call is signed with the configured keys.
            #expect(standIn.sendRequests.allSatisfy { $0.header("Authorization")?.contains("Credential=AKIDSENDTEST/") == true })
            #expect(standIn.accountRequests >= 1)
        }
    }

    @Test func accountSuspendedPausesSendingAndLeavesTheQueueAlone() async throws {
        let standIn = try SESStandIn(script: [TestHTTPServer.Response.sesError("AccountSuspendedException", status: 400, message: "Account suspended.")])
        let app = try await start(standIn)
        try await withFixture(app) { app in
            let first = try #require(try await app.post(SendTestApp.message(to: ["a@example.net"])).id)
            let sending = app.context.sending
            try await app.waitUntil("sending paused") { try await sending.state().paused }
            let state = try await sending.state()
            #expect(state.source == .ses)
            #expect(state.reason?.contains("AccountSuspendedException") == true)
            let second = try #require(try await app.post(SendTestApp.message(to: ["b@example.net"])).id)
            try await Task.sleep(for: .milliseconds(300))
            // The refused message is back in the queue without a counted attempt; nothing else was sent.
            let firstStatus = try await app.get(first)
            #expect(firstStatus.state == "queued")
            #expect(firstStatus.json["attempts"] as? Int == 0)
            #expect(try await app.get(second).state == "queued")
            #expect(standIn.sendRequests.count == 1)

            // Resuming sends both.
            _ = try await sending.resume()
            #expect(try await app.waitForState(first, ["sent", "failed"]).state == "sent")
            #expect(try await app.waitForState(second, ["sent", "failed"]).state == "sent")
        }
    }

    @Test func permanentErrorFailsAtOnce() async throws {
        let standIn = try SESStandIn(script: [TestHTTPServer.Response.sesError("MessageRejected", status: 400, message: "Email address is not verified.")])
        let app = try await start(standIn)
        try await withFixture(app) { app in
            let id = try #require(try await app.post(SendTestApp.message(to: ["c@example.net"])).id)
            let failed = try await app.waitForState(id, ["sent", "failed"])
            #expect(failed.state == "failed")
            #expect(failed.json["attempts"] as? Int == 1)
            #expect((failed.json["error"] as? String)?.contains("MessageRejected") == true)
            #expect(standIn.sendRequests.count == 1)
        }
    }

    @Test func retryableErrorsStopAtMaxAttempts() async throws {
        let standIn = try SESStandIn(script: Array(repeating: TestHTTPServer.Response.sesError("InternalFailure", status: 500, message: "oops"), count: 5))
        let app = try await start(standIn, settings: ["ses.max_attempts": .integer(2), "ses.max_backoff_seconds": .float(1)])
        try await withFixture(app) { app in
            let id = try #require(try await app.post(SendTestApp.message(to: ["d@example.net"])).id)
            let failed = try await app.waitForState(id, ["sent", "failed"])
            #expect(failed.state == "failed")
            #expect(failed.json["attempts"] as? Int == 2)
            #expect((failed.json["error"] as? String)?.contains("gave up after 2 attempts") == true)
            #expect(standIn.sendRequests.count == 2)
        }
    }

    @Test func addressSuppressedWhileQueuedIsNotMailed() async throws {
        let standIn = try SESStandIn()
        let app = try await start(standIn)
        try await withFixture(app) { app in
            let now = Date()
            _ = try await app.context.sending.pause(reason: "test hold", source: .operator, at: now)
            let both = try #require(try await app.post(SendTestApp.message(to: ["keep@example.net", "late@example.net"])).id)
            let only = try #require(try await app.post(SendTestApp.message(to: ["late@example.net"])).id)
            try await app.context.store.putManual(Suppression(address: "late@example.net", reason: .complaint, firstSeen: now, source: "operator:test"))
            _ = try await app.context.sending.resume()

            let sent = try await app.waitForState(both, ["sent", "failed", "suppressed"])
            #expect(sent.state == "sent")
            #expect(sent.json["recipients"] as? [String] == ["keep@example.net"])
            let dropped = sent.json["suppressed"] as? [[String: String]]
            #expect(dropped == [["address": "late@example.net", "reason": "complaint"]])
            #expect(try await app.waitForState(only, ["sent", "failed", "suppressed"]).state == "suppressed")
            #expect(standIn.sendRequests.count == 1)
            #expect(!standIn.sendRequests[0].bodyText.contains("late@example.net"))
        }
    }

    @Test func statusListsSESEventsLinkedByMessageId() async throws {
        let standIn = try SESStandIn()
        let app = try await start(standIn)
        try await withFixture(app) { app in
            let id = try #require(try await app.post(SendTestApp.message(to: ["bouncy@example.net"])).id)
            let sent = try await app.waitForState(id, ["sent", "failed"])
            let sesId = try #require(sent.json["ses_message_id"] as? String)
            let event = RecipientEvent(
                kind: .hardBounce, address: "bouncy@example.net", sesMessageId: sesId, timestamp: Date(), identity: "example.com",
                subtype: "General")
            let inbound = InboundMessage(
                messageId: "sns-\(UUID().uuidString)", type: "Notification", topicArn: "arn:aws:sns:us-east-1:1:t", timestamp: Date(),
                receivedAt: Date(), endpoint: "default", rawCompressed: [1])
            _ = try await app.context.store.ingest(inbound, events: [event], policy: app.context.policy)
            let status = try await app.get(id)
            let events = try #require(status.json["events"] as? [[String: Any]])
            #expect(events.count == 1)
            #expect(events.first?["kind"] as? String == "hard_bounce")
            #expect(events.first?["ses_message_id"] as? String == sesId)
        }
    }

    @Test func sentRecipientsAreCountedForMonitoring() async throws {
        let standIn = try SESStandIn()
        let app = try await start(standIn)
        try await withFixture(app) { app in
            let id = try #require(try await app.post(SendTestApp.message(from: "news@counted.example", to: ["x@example.net", "y@example.net"])).id)
            _ = try await app.waitForState(id, ["sent"])
            let counters = try await app.context.store.hourlyCounters(from: Date().addingTimeInterval(-7200), to: Date().addingTimeInterval(3600))
            #expect(counters.filter { $0.identity == "counted.example" && $0.kind == .send }.map(\.count).reduce(0, +) == 2)
        }
    }

    /// A 2xx without a usable MessageId (a proxy that rewrote the body, say): SES took the message, so it is
    /// sent, counted, and never sent again.
    @Test func acceptedWithoutAMessageIdIsSentOnceAndCounted() async throws {
        let standIn = try SESStandIn(script: [.json(#"{"Unexpected":true}"#)])
        let app = try await start(standIn)
        try await withFixture(app) { app in
            let id = try #require(try await app.post(SendTestApp.message(from: "news@noid.example", to: ["z@example.net"])).id)
            let sent = try await app.waitForState(id, ["sent", "failed"])
            #expect(sent.state == "sent")
            #expect(sent.json["ses_message_id"] == nil || sent.json["ses_message_id"] is NSNull)
            #expect(sent.json["attempts"] as? Int == 1)
            #expect(standIn.sendRequests.count == 1)
            let counters = try await app.context.store.hourlyCounters(from: Date().addingTimeInterval(-7200), to: Date().addingTimeInterval(3600))
            #expect(counters.filter { $0.identity == "noid.example" && $0.kind == .send }.map(\.count).reduce(0, +) == 1)
            // Logged right after the state change the wait above saw.
            try await app.waitUntil("the warning") { app.logs.contains("SES accepted a message without a usable MessageId") }
        }
    }
}
