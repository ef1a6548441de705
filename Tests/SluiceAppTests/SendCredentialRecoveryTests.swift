import SluiceTestSupport
import Foundation
import Synchronization
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceApp

/// `ses.transport = auto` with credentials that are configured but failing at start: the SES transport is
/// chosen and mail waits for the keys, instead of going to the outbox as `sent`.
struct SendCredentialRecoveryTests {
    /// An IMDSv2 fake whose first `failures` token PUTs answer 500.
    private func imds(failures: Int) throws -> TestHTTPServer {
        let left = FailureCountdown(failures)
        return try TestHTTPServer { request in
            switch request.path {
            case "/latest/api/token":
                if left.take() { return TestHTTPServer.Response(status: 500) }
                return TestHTTPServer.Response(body: "imds-token")
            case "/latest/meta-data/iam/security-credentials/":
                return TestHTTPServer.Response(body: "sluice-role\n")
            default:
                let expires = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
                return .json(#"{"Code":"Success","AccessKeyId":"AKIDIMDS","SecretAccessKey":"s","Token":"t","Expiration":"\#(expires)"}"#)
            }
        }
    }

    @Test func erroringIMDSAtStartPicksSESAndMailIsSentOnceKeysCome() async throws {
        let metadata = try imds(failures: 1)
        defer { metadata.stop() }
        let standIn = try SESStandIn()
        let app = try await SendTestApp.start(
            settings: ["ses.transport": .string("auto"), "ses.endpoint": .string(standIn.endpoint), "ses.max_send_rate": .float(100)],
            environment: ["AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": metadata.baseURL])
        try await withFixture(app) { app in
            let id = try #require(try await app.post(SendTestApp.message(to: ["imds@example.net"])).id)
            let done = try await app.waitForState(id, ["sent", "failed"])
            #expect(done.state == "sent")
            #expect(done.json["outbox"] == nil || done.json["outbox"] is NSNull)
            #expect((done.json["ses_message_id"] as? String)?.hasPrefix("stand-in-") == true)
            #expect(standIn.sendRequests.contains { $0.header("Authorization")?.contains("Credential=AKIDIMDS/") == true })
            #expect(!app.logs.contains("send gate transport: outbox"))
            #expect(app.logs.contains("configured AWS credentials are not usable yet"))
        }
    }

    /// No keys can be had: the message stays queued and waits; it is neither sent to the outbox nor failed,
    /// and the outage spends none of its attempts (one allowed here: a counted try would fail it at once).
    @Test func partialEnvironmentKeysPickSESNotTheOutboxAndSpendNoAttempts() async throws {
        let standIn = try SESStandIn()
        let app = try await SendTestApp.start(
            settings: [
                "ses.transport": .string("auto"), "ses.endpoint": .string(standIn.endpoint), "ses.max_send_rate": .float(100),
                "ses.max_attempts": .integer(1),
            ],
            environment: ["AWS_ACCESS_KEY_ID": "AKIDPARTIAL"])
        try await withFixture(app) { app in
            let id = try #require(try await app.post(SendTestApp.message(to: ["partial@example.net"])).id)
            try await app.waitUntil("two tries that found no keys") {
                app.logs.all.filter { $0.message.hasPrefix("no usable AWS credentials") }.count >= 2
            }
            // Between tries the message is queued (a claimed one shows its attempt until it is put back).
            try await app.waitUntil("the message back in the queue") { try await app.get(id).state == "queued" }
            let json = try await app.get(id).json
            #expect(json["attempts"] as? Int == 0)
            #expect((json["error"] as? String)?.contains("credentials") == true)
            #expect(standIn.sendRequests.isEmpty)
            #expect(!app.logs.contains("send gate transport: outbox"))
        }
    }

    @Test func nothingConfiguredStillPicksTheOutbox() async throws {
        let app = try await SendTestApp.start(settings: ["ses.transport": .string("auto")])
        try await withFixture(app) { app in
            let id = try #require(try await app.post(SendTestApp.message(to: ["none@example.net"])).id)
            #expect(try await app.waitForState(id, ["sent", "failed"]).state == "sent")
            #expect(app.logs.contains("send gate transport: outbox (no AWS credentials configured)"))
        }
    }

    @Test func suppressionSyncClientIsBuiltWhileIMDSErrs() async throws {
        let metadata = try imds(failures: 1)
        defer { metadata.stop() }
        let standIn = try SESSuppressionStandIn()
        defer { standIn.server.stop() }
        let environment = ["AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": metadata.baseURL,
                           "HOME": NSTemporaryDirectory() + "sluice-sync-home-\(UUID().uuidString)"]
        // The app itself has no credentials (its outbox does not matter here); the sync service gets the IMDS.
        let app = try await SendTestApp.start(settings: [
            "ses.transport": .string("auto"), "ses.endpoint": .string(standIn.endpoint), "ses.suppression_push_rate": .float(100),
        ])
        try await withFixture(app) { app in
            try await app.context.store.putManual(Suppression(address: "imds@example.net", reason: .hardBounce, firstSeen: Date(), source: "test"))
            let report = try await SESSyncService(context: app.context, environment: environment).sync(push: true, pull: false)
            #expect(report.pushed == 1)
            #expect(standIn.entries["imds@example.net"]?.reason == "BOUNCE")
        }
    }
}

/// Says yes the first `count` times it is asked (scripted failures shared with a server's handler).
final class FailureCountdown: Sendable {
    private let left: Atomic<Int>
    init(_ count: Int) { left = Atomic(count) }
    func take() -> Bool { left.subtract(1, ordering: .relaxed).oldValue > 0 }
}
