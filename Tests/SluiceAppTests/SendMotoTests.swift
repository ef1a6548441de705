import SluiceTestSupport
import Foundation
import Testing
import SluiceAWS
import SluiceCore
import SluiceHTTP
@testable import SluiceApp

/// The send gate end to end against moto (`pip install 'moto[server]'`): API → queue → SES v2 → moto.
struct SendMotoTests {
    private func start(_ moto: MotoServer, database: SendTestDatabase? = nil) async throws -> SendTestApp {
        try await SendTestApp.start(
            database: database,
            settings: ["ses.transport": .string("ses"), "ses.endpoint": .string(moto.baseURL), "ses.max_send_rate": .float(100)],
            environment: SendTestApp.staticKeys)
    }

    /// Verifies `address` in moto through the SES v1 Query API.
    private func verify(_ address: String, in moto: MotoServer) async throws {
        let client = SESClient(
            configuration: SESClientConfiguration(
                region: "us-east-1", endpoint: URL(string: moto.baseURL),
                credentials: StaticCredentialProvider(AWSCredentials(accessKeyId: "AKIDSENDTEST", secretAccessKey: "send-test-secret")),
                httpClient: try HTTPClient(configuration: HTTPClientConfiguration(maxIdleConnectionsPerHost: 0))),
            logger: .init(label: "send.moto"))
        let form = "Action=VerifyEmailIdentity&Version=2010-12-01&EmailAddress=" + SigV4Encoding.uriEncode(address)
        _ = try await client.perform(
            operation: "VerifyEmailIdentity", method: "POST", path: "/", body: Array(form.utf8),
            contentType: "application/x-www-form-urlencoded; charset=utf-8")
    }

    /// moto's recorded `ses.Message` instances.
    private func messages(in moto: MotoServer) async throws -> [[String: Any]] {
        let data = try await moto.modelData()
        return ((data["ses"] as? [String: Any])?["Message"] as? [[String: Any]]) ?? []
    }

    private func message(_ sesId: String, in moto: MotoServer) async throws -> [String: Any]? {
        try await messages(in: moto).first { $0["id"] as? String == sesId }
    }

    @Test func messageSentThroughTheAPIArrivesInMoto() async throws {
        let moto = try await MotoServer.shared()
        try await verify("api-sender@example.com", in: moto)
        let app = try await start(moto)
        try await withFixture(app) { app in
            let accepted = try await app.post(SendTestApp.message(from: "api-sender@example.com", to: ["rcpt1@example.net"], subject: "Moto via API"))
            #expect(accepted.status == 202)
            let sent = try await app.waitForState(try #require(accepted.id), ["sent", "failed"])
            #expect(sent.state == "sent")
            let sesId = try #require(sent.json["ses_message_id"] as? String)
            let recorded = try #require(try await message(sesId, in: moto))
            #expect(recorded["subject"] as? String == "Moto via API")
            #expect((recorded["destinations"] as? [String: [String]])?["ToAddresses"] == ["rcpt1@example.net"])
        }
    }

    @Test func unverifiedSenderFailsWithoutRetry() async throws {
        let moto = try await MotoServer.shared()
        let app = try await start(moto)
        try await withFixture(app) { app in
            let accepted = try await app.post(SendTestApp.message(from: "nobody-verified@example.org", to: ["rcpt2@example.net"]))
            let failed = try await app.waitForState(try #require(accepted.id), ["sent", "failed"])
            #expect(failed.state == "failed")
            #expect(failed.json["attempts"] as? Int == 1)
            #expect((failed.json["error"] as? String)?.contains("MessageRejected") == true)
        }
    }

    @Test func suppressedRecipientNeverReachesMoto() async throws {
        let moto = try await MotoServer.shared()
        try await verify("gate-sender@example.com", in: moto)
        let app = try await start(moto)
        try await withFixture(app) { app in
            try await app.context.store.putManual(Suppression(address: "blocked-moto@example.net", reason: .hardBounce, firstSeen: Date(), source: "operator:test"))
            let accepted = try await app.post(SendTestApp.message(
                from: "gate-sender@example.com", to: ["open-moto@example.net", "Blocked-Moto@example.net"], subject: "Gate check"))
            #expect(accepted.status == 202)
            #expect(accepted.json["suppressed"] as? [[String: String]] == [["address": "Blocked-Moto@example.net", "reason": "hard_bounce"]])
            let sent = try await app.waitForState(try #require(accepted.id), ["sent", "failed"])
            let sesId = try #require(sent.json["ses_message_id"] as? String)
            let recorded = try #require(try await message(sesId, in: moto))
            #expect((recorded["destinations"] as? [String: [String]])?["ToAddresses"] == ["open-moto@example.net"])
            let everywhere = try await messages(in: moto).flatMap { ($0["destinations"] as? [String: [String]])?.values.flatMap { $0 } ?? [] }
            #expect(!everywhere.contains { $0.lowercased() == "blocked-moto@example.net" })

            let none = try await app.post(SendTestApp.message(from: "gate-sender@example.com", to: ["blocked-moto@example.net"]))
            #expect(none.status == 422)
            #expect(none.errorCode == "all_suppressed")
            #expect(none.json["suppressed"] as? [[String: String]] == [["address": "blocked-moto@example.net", "reason": "hard_bounce"]])
        }
    }

    @Test func idempotencyKeySendsOnceAndRejectsAnotherBody() async throws {
        let moto = try await MotoServer.shared()
        try await verify("idem-sender@example.com", in: moto)
        let app = try await start(moto)
        try await withFixture(app) { app in
            let subject = "Idempotent \(UUID().uuidString)"
            let body = SendTestApp.message(from: "idem-sender@example.com", to: ["idem@example.net"], subject: subject)
            let key = "key-\(UUID().uuidString)"
            let first = try await app.post(body, key: key)
            let second = try await app.post(body, key: key)
            #expect(first.status == 202)
            #expect(second.status == 202)
            #expect(second.id == first.id)
            #expect(second.headers["idempotent-replayed"] == "true")
            let other = try await app.post(SendTestApp.message(from: "idem-sender@example.com", to: ["other@example.net"]), key: key)
            #expect(other.status == 409)
            #expect(other.errorCode == "idempotency_conflict")
            _ = try await app.waitForState(try #require(first.id), ["sent", "failed"])
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await messages(in: moto).filter { $0["subject"] as? String == subject }.count == 1)
        }
    }

    @Test func queuedMessagesResumeAfterRestartOnTheSameDatabase() async throws {
        let moto = try await MotoServer.shared()
        try await verify("restart-sender@example.com", in: moto)
        let database = try SendTestDatabase()
        let first = try await start(moto, database: database)
        // Held by an operator pause so the messages are still queued when the service stops.
        _ = try await first.context.sending.pause(reason: "restart test", source: .operator, at: Date())
        var ids: [String] = []
        for n in 0..<3 {
            let reply = try await first.post(SendTestApp.message(from: "restart-sender@example.com", to: ["r\(n)@example.net"], subject: "Restart \(n)"))
            ids.append(try #require(reply.id))
        }
        await first.stop()

        let second = try await start(moto, database: database)
        try await withFixture(second) { second in
            for id in ids { #expect(try await second.get(id).state == "queued") }
            _ = try await second.context.sending.resume()
            for id in ids {
                let sent = try await second.waitForState(id, ["sent", "failed"])
                #expect(sent.state == "sent")
                let sesId = try #require(sent.json["ses_message_id"] as? String)
                #expect(try await message(sesId, in: moto) != nil)
            }
        }
    }
}
