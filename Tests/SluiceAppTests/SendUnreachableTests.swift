import SluiceTestSupport
import Foundation
import Testing
import SluiceCore
@testable import SluiceApp

/// SES that cannot be reached at all (nothing listens at the endpoint) is the network's state, not the
/// message's: mail waits, attempts unspent, as in a credentials outage.
struct SendUnreachableTests {
    @Test func mailWaitsWithoutSpendingAttemptsWhileSESCannotBeReached() async throws {
        let app = try await SendTestApp.start(
            settings: [
                "ses.transport": .string("ses"), "ses.endpoint": .string("http://127.0.0.1:\(try MotoServer.freePort())"),
                "ses.max_send_rate": .float(100), "ses.max_attempts": .integer(1),
            ],
            environment: SendTestApp.staticKeys)
        try await withFixture(app) { app in
            let id = try #require(try await app.post(SendTestApp.message(to: ["wait@example.net"])).id)
            try await app.waitUntil("the refused connection recorded") {
                (try await app.get(id).json["error"] as? String)?.contains("connectFailed") == true
            }
            // With one attempt allowed, a counted failure would have failed it.
            let status = try await app.get(id)
            #expect(status.state == "queued")
            #expect(status.json["attempts"] as? Int == 0)
        }
    }
}
