import Foundation
import SluiceTestSupport
import Testing
import SluiceCore
import SluiceStore
@testable import SluiceApp

/// `/v1/messages` with the outbox transport (no AWS credentials): validation, gate, idempotency, recovery.
struct SendAPITests {
    private func start(database: SendTestDatabase? = nil) async throws -> SendTestApp {
        try await SendTestApp.start(database: database, settings: ["ses.max_send_rate": .float(200)])
    }

    @Test func withoutCredentialsTheOutboxRecordsTheRequestAndSaysSoAtStart() async throws {
        let app = try await start()
        try await withFixture(app) { app in
            let body = #"{"from":"Zoë Sender <zoe@bücher.example>","to":["rcpt@münchen.example"],"subject":"Hi","html":"<p>x</p>","headers":{"List-Unsubscribe":"<https://u.example/x>"},"tags":{"campaign":"c-1"},"configuration_set":"main"}"#
            let accepted = try await app.post(body)
            #expect(accepted.status == 202)
            #expect(accepted.state == "queued")
            #expect(accepted.json["recipients"] as? [String] == ["rcpt@xn--mnchen-3ya.example"])
            let sent = try await app.waitForState(try #require(accepted.id), ["sent", "failed"])
            #expect(sent.state == "sent")
            #expect(sent.json["ses_message_id"] is NSNull)
            let outbox = try #require(sent.json["outbox"] as? [String: Any])
            #expect(outbox["transport"] as? String == "outbox")
            let request = try #require(outbox["request"] as? [String: Any])
            #expect(request["FromEmailAddress"] as? String == "=?UTF-8?B?Wm/DqyBTZW5kZXI=?= <zoe@xn--bcher-kva.example>")
            #expect(request["ConfigurationSetName"] as? String == "main")
            #expect((request["EmailTags"] as? [[String: String]]) == [["Name": "campaign", "Value": "c-1"]])
            #expect(app.logs.contains("send gate transport: outbox"))
        }
    }

    @Test(arguments: [
        (#"{"to":["a@example.net"],"subject":"s","text":"t"}"#, "missing_field"),
        (#"{"from":"s@example.com","to":["not-an-address"],"subject":"s","text":"t"}"#, "invalid_address"),
        (#"{"from":"s@example.com","to":["a@exa mple.net"],"subject":"s","text":"t"}"#, "invalid_address"),
        (#"{"from":"s@example.com","subject":"s","text":"t"}"#, "no_recipients"),
        (#"{"from":"s@example.com","to":["a@example.net"],"text":"t"}"#, "missing_field"),
        (#"{"from":"s@example.com","to":["a@example.net"],"subject":"s","text":"t","raw":"RnJvbTogYQ0KDQpi"}"#, "invalid_content"),
        (#"{"from":"s@example.com","to":["a@example.net"],"raw":"not base64 at all!!"}"#, "invalid_raw"),
        (#"{"from":"s@example.com","to":["a@example.net"],"subject":"s","text":"t","headers":{"Subject":"x"}}"#, "invalid_header"),
        (#"{"from":"s@example.com","to":["a@example.net"],"subject":"s","text":"t","tags":{"bad tag":"x"}}"#, "invalid_tag"),
        (#"{"from":"s@example.com","to":"a@example.net","subject":"s","text":"t"}"#, "invalid_json"),
        ("[1,2", "invalid_json"),
    ])
    func invalidRequestsGetClear400s(body: String, code: String) async throws {
        let app = try await start()
        try await withFixture(app) { app in
            let reply = try await app.post(body)
            #expect(reply.status == 400)
            #expect(reply.errorCode == code, "\(reply.json)")
        }
    }

    @Test func moreThanFiftyRecipientsIsRefused() async throws {
        let app = try await start()
        try await withFixture(app) { app in
            let reply = try await app.post(SendTestApp.message(to: (0..<51).map { "r\($0)@example.net" }))
            #expect(reply.status == 400)
            #expect(reply.errorCode == "too_many_recipients")
        }
    }

    @Test func requestsWithoutTheBearerTokenAreRefused() async throws {
        let app = try await start()
        try await withFixture(app) { app async throws in
            #expect(try await app.post(SendTestApp.message(to: ["a@example.net"]), token: nil).status == 401)
            #expect(try await app.post(SendTestApp.message(to: ["a@example.net"]), token: "wrong").status == 401)
        }
    }

    @Test func everyRecipientSuppressedIs422AndReplaysWithTheSameKey() async throws {
        let app = try await start()
        try await withFixture(app) { app in
            try await app.context.store.putManual(Suppression(address: "gone@example.net", reason: .complaint, firstSeen: Date(), source: "operator:t"))
            let body = SendTestApp.message(to: ["Gone@Example.NET"])
            let first = try await app.post(body, key: "k-422")
            #expect(first.status == 422)
            #expect(first.json["suppressed"] as? [[String: String]] == [["address": "Gone@example.net", "reason": "complaint"]])
            let again = try await app.post(body, key: "k-422")
            #expect(again.status == 422)
            #expect(again.headers["idempotent-replayed"] == "true")
            #expect(try await app.post(SendTestApp.message(to: ["fresh@example.net"]), key: "k-422").status == 409)
        }
    }

    @Test func rawMessagesNeedExplicitRecipientsAndAreSent() async throws {
        let app = try await start()
        try await withFixture(app) { app in
            let mime = Data("From: s@example.com\r\nTo: r@example.net\r\nSubject: raw\r\n\r\nbody\r\n".utf8).base64EncodedString()
            let missing = try await app.post(#"{"from":"s@example.com","raw":"\#(mime)"}"#)
            #expect(missing.errorCode == "no_recipients")
            let accepted = try await app.post(#"{"from":"s@example.com","to":["r@example.net"],"raw":"\#(mime)"}"#)
            #expect(accepted.status == 202)
            let sent = try await app.waitForState(try #require(accepted.id), ["sent", "failed"])
            let request = (sent.json["outbox"] as? [String: Any])?["request"] as? [String: Any]
            #expect(((request?["Content"] as? [String: Any])?["Raw"] as? [String: String])?["Data"] == mime)
        }
    }

    @Test func unknownMessageIs404() async throws {
        let app = try await start()
        try await withFixture(app) { app async throws in
            #expect(try await app.get("msg_nope").status == 404)
        }
    }

    @Test func messageLeftSendingByACrashFailsAsUnknownByDefault() async throws {
        let database = try SendTestDatabase()
        // A previous process claimed the message and died during the SES call.
        let store = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: database.path))
        let past = Date().addingTimeInterval(-120)
        let message = OutboundMessage(from: "s@example.com", fromAddress: "s@example.com", to: ["r@example.net"], subject: "s", text: "t")
        _ = try await store.enqueue(QueuedMessage(id: "msg_crashed", message: message, nextAttemptAt: past, createdAt: past), idempotency: nil)
        #expect(try await store.claim(id: "msg_crashed", dropping: [], message: nil, at: past))
        store.close()

        let app = try await start(database: database)
        try await withFixture(app) { app in
            let status = try await app.waitForState("msg_crashed", ["failed", "queued", "sent"])
            #expect(status.state == "failed")
            #expect((status.json["error"] as? String)?.hasPrefix("outcome_unknown") == true)
            #expect(status.json["attempts"] as? Int == 1)
        }
    }

    /// A slow pass that started nothing (a paused backlog walked in the index) is followed by a longer pause.
    @Test func idleDispatchPassesTakeAtMostATenthOfTheTime() {
        #expect(SendEngine.idleWait(afterPass: .milliseconds(2), poll: .milliseconds(50)) == .milliseconds(50))
        #expect(SendEngine.idleWait(afterPass: .milliseconds(70), poll: .milliseconds(50)) == .milliseconds(630))
    }

    /// A paused identity's backlog, more than a dispatch batch and due first, does not hold back other
    /// identities' mail: the dispatcher's query leaves the paused identity out. With per-ISP pacing the batch
    /// is only 8 messages.
    @Test(arguments: [false, true]) func pausedIdentityBacklogDoesNotHoldBackOtherIdentities(paced: Bool) async throws {
        var settings: [String: TOMLValue] = ["ses.max_send_rate": .float(200)]
        if paced { settings["pacing.groups"] = .array([.string("gmail:gmail.com=4")]) }
        let app = try await SendTestApp.start(settings: settings)
        try await withFixture(app) { app in
            _ = try await app.context.sending.pauseIdentities(["a.example.com": "protection: bounce rate"])
            let paused = OutboundMessage(from: "x@a.example.com", fromAddress: "x@a.example.com", to: ["r@example.net"], subject: "s", text: "t")
            let earlier = Date().addingTimeInterval(-60)
            let backlog = 300
            for i in 0..<backlog {
                let at = earlier.addingTimeInterval(Double(i) / 1000)
                _ = try await app.context.store.enqueue(QueuedMessage(id: "msg_paused_\(i)", message: paused, nextAttemptAt: at, createdAt: at), idempotency: nil)
            }
            let other = try await app.post(SendTestApp.message(from: "y@b.example.com", to: ["r@example.net"]))
            #expect(other.status == 202)
            #expect(try await app.waitForState(try #require(other.id), ["sent", "failed"]).state == "sent")
            // The paused identity's mail is untouched: still queued, no attempt counted.
            #expect(try await app.context.store.queueCounts()[.queued] == backlog)
            #expect(try await app.context.store.queuedMessage(id: "msg_paused_0")?.attempts == 0)
        }
    }

    /// Recovery waits for `inflightRecoveryAge` (3 × the request timeout), not the request timeout alone: a
    /// claim 1.5 × the timeout old may belong to a live instance whose call started late, so it stays its own.
    @Test func claimYoungerThanTheRecoveryAgeIsLeftToItsClaimant() async throws {
        let database = try SendTestDatabase()
        let store = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: database.path))
        let timeout = SendGateConfiguration(configuration: .defaults).requestTimeout
        let message = OutboundMessage(from: "s@example.com", fromAddress: "s@example.com", to: ["r@example.net"], subject: "s", text: "t")
        for (id, age) in [("msg_live", 1.5 * timeout), ("msg_abandoned", 3 * timeout + 10)] {
            let claimedAt = Date().addingTimeInterval(-age)
            _ = try await store.enqueue(QueuedMessage(id: id, message: message, nextAttemptAt: claimedAt, createdAt: claimedAt), idempotency: nil)
            #expect(try await store.claim(id: id, dropping: [], message: nil, at: claimedAt))
        }
        store.close()

        let app = try await start(database: database)
        try await withFixture(app) { app in
            // One recovery pass looks at both rows: once the abandoned one is resolved, the live one was passed over.
            let abandoned = try await app.waitForState("msg_abandoned", ["failed", "queued", "sent"])
            #expect(abandoned.state == "failed")
            #expect(try await app.get("msg_live").state == "sending")
        }
    }
}
