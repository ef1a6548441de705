import SluiceTestSupport
import Foundation
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceApp

/// Auth and clock-skew refusals from SES never fail queued mail: they are retried or pause sending.
struct SendAuthRefusalTests {
    private func start(_ standIn: SESStandIn) async throws -> SendTestApp {
        try await SendTestApp.start(
            settings: ["ses.transport": .string("ses"), "ses.endpoint": .string(standIn.endpoint), "ses.max_send_rate": .float(100)],
            environment: SendTestApp.staticKeys)
    }

    @Test func signatureExpiredIsRetriedAndSent() async throws {
        let standIn = try SESStandIn(script: [
            .sesError(
                "InvalidSignatureException", status: 403,
                message: "Signature expired: 20240101T000000Z is now earlier than 20240101T005500Z",
                headers: [("Date", TestHTTPServer.Response.httpDate(Date().addingTimeInterval(900)))]),
        ])
        let app = try await start(standIn)
        try await withFixture(app) { app in
            let id = try #require(try await app.post(SendTestApp.message(to: ["skew@example.net"])).id)
            let done = try await app.waitForState(id, ["sent", "failed"])
            #expect(done.state == "sent")
            #expect(done.json["attempts"] as? Int == 2)
            #expect(standIn.sendRequests.count == 2)
        }
    }

    @Test(arguments: ["ExpiredTokenException", "UnrecognizedClientException", "InvalidClientTokenId", "SignatureDoesNotMatch", "RequestTimeTooSkewed"])
    func refusedKeysAreRetriedAndSent(_ type: String) async throws {
        let standIn = try SESStandIn(script: [TestHTTPServer.Response.sesError(type, status: 403, message: "refused")])
        let app = try await start(standIn)
        try await withFixture(app) { app in
            let id = try #require(try await app.post(SendTestApp.message(to: ["keys@example.net"])).id)
            #expect(try await app.waitForState(id, ["sent", "failed"]).state == "sent")
        }
    }

    @Test func accessDeniedPausesSendingWithTheMessageQueued() async throws {
        let standIn = try SESStandIn(script: [TestHTTPServer.Response.sesError("AccessDeniedException", status: 403, message: "not authorized to perform ses:SendEmail")])
        let app = try await start(standIn)
        try await withFixture(app) { app in
            let id = try #require(try await app.post(SendTestApp.message(to: ["denied@example.net"])).id)
            let sending = app.context.sending
            try await app.waitUntil("sending paused") { try await sending.state().paused }
            #expect(try await sending.state().reason?.contains("AccessDeniedException") == true)
            let status = try await app.get(id)
            #expect(status.state == "queued")
            #expect(status.json["attempts"] as? Int == 1, "a denial may be the message's own: its attempt counts")
            _ = try await sending.resume()
            #expect(try await app.waitForState(id, ["sent", "failed"]).state == "sent")
        }
    }

    /// A message SES denies every time (an IAM policy denying its identity) pauses sending at each resume only
    /// until its attempts are spent; then it fails and the next resume lets the rest of the queue go.
    @Test func aMessageDeniedAtEveryResumeFailsAfterItsAttempts() async throws {
        let denied = TestHTTPServer.Response.sesError("AccessDeniedException", status: 403, message: "not authorized to send from this identity")
        let standIn = try SESStandIn(script: [denied, denied])
        let app = try await SendTestApp.start(
            settings: [
                "ses.transport": .string("ses"), "ses.endpoint": .string(standIn.endpoint), "ses.max_send_rate": .float(100),
                "ses.max_attempts": .integer(2),
            ],
            environment: SendTestApp.staticKeys)
        try await withFixture(app) { app in
            let sending = app.context.sending
            let id = try #require(try await app.post(SendTestApp.message(to: ["denied@example.net"])).id)
            try await app.waitUntil("sending paused") { try await sending.state().paused }
            #expect(try await app.get(id).state == "queued")
            _ = try await sending.resume()
            let failed = try await app.waitForState(id, ["sent", "failed"])
            #expect(failed.state == "failed")
            #expect((failed.json["error"] as? String)?.hasPrefix("gave up after 2 attempts: AccessDeniedException") == true)
            try await app.waitUntil("sending paused again") { try await sending.state().paused }
            // Resumed once more: the denied message no longer stops the queue.
            _ = try await sending.resume()
            let next = try #require(try await app.post(SendTestApp.message(to: ["next@example.net"])).id)
            #expect(try await app.waitForState(next, ["sent", "failed"]).state == "sent")
            #expect(standIn.sendRequests.count == 3)
        }
    }

    /// Keys refused again after new ones were fetched are wrong for good: sending pauses with the message
    /// queued, instead of every message spending its attempts and failing.
    @Test func keysRefusedThreeTimesInARowPauseSending() async throws {
        let refused = TestHTTPServer.Response.sesError(
            "InvalidClientTokenId", status: 403, message: "The security token included in the request is invalid.")
        let standIn = try SESStandIn(script: Array(repeating: refused, count: CredentialRefusalStreak.pauseAfter))
        let app = try await start(standIn)
        try await withFixture(app) { app in
            let id = try #require(try await app.post(SendTestApp.message(to: ["wrong-keys@example.net"])).id)
            let sending = app.context.sending
            try await app.waitUntil("sending paused") { try await sending.state().paused }
            let state = try await sending.state()
            #expect(state.reason?.contains("InvalidClientTokenId") == true)
            #expect(state.reason?.contains("refused the AWS credentials") == true)
            let status = try await app.get(id)
            #expect(status.state == "queued")
            #expect(status.json["attempts"] as? Int == CredentialRefusalStreak.pauseAfter - 1, "the pausing call is not counted")
            #expect(standIn.sendRequests.count == CredentialRefusalStreak.pauseAfter)
            // Keys fixed (the stand-in now accepts): resuming sends it.
            _ = try await sending.resume()
            #expect(try await app.waitForState(id, ["sent", "failed"]).state == "sent")
        }
    }
}
