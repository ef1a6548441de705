import SluiceTestSupport
import Foundation
import Testing
import SluiceCore
import SluiceHTTP
import SluiceStore
@testable import SluiceApp

/// The local rolling 24-hour quota (`ses.max_24h_send`, SQLite) counts only recipients SES may have taken:
/// refusals and recipients that never reach a call give their quota back.
struct SendDailyQuotaTests {
    private func start(_ standIn: SESStandIn, dailyQuota: Int) async throws -> SendTestApp {
        try await SendTestApp.start(
            settings: [
                "ses.transport": .string("ses"), "ses.endpoint": .string(standIn.endpoint), "ses.max_send_rate": .float(100),
                "ses.max_24h_send": .integer(dailyQuota),
            ],
            environment: SendTestApp.staticKeys)
    }

    /// Until this process's GetAccount answers (here never: the outbox transport has no account), the
    /// quota last recorded in the store (by another instance, or before a restart) holds.
    @Test func theQuotaLastRecordedHoldsUntilGetAccountAnswers() async throws {
        let database = try SendTestDatabase()
        let seed = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: database.path))
        try await StoredSendQuota(store: seed).record(max24HourSend: 1, sentLast24Hours: 0, at: Date())
        seed.close()
        let app = try await SendTestApp.start(database: database, settings: ["ses.transport": .string("outbox")])
        try await withFixture(app) { app in
            try await app.waitUntil("the recorded quota adopted") {
                app.context.metrics.registry.render().contains("\nsluice_send_quota_24h 1\n")
            }
            let first = try #require(try await app.post(SendTestApp.message(to: ["one@example.net"])).id)
            #expect(try await app.waitForState(first, ["sent", "failed"]).state == "sent")
            let second = try #require(try await app.post(SendTestApp.message(to: ["two@example.net"])).id)
            try await Task.sleep(for: .seconds(1))
            #expect(try await app.get(second).state == "queued")
        }
    }

    @Test func messagesSESRefusesDoNotUseUpTheQuota() async throws {
        let rejected = TestHTTPServer.Response.sesError("MessageRejected", status: 400, message: "Email address is not verified.")
        let standIn = try SESStandIn(script: Array(repeating: rejected, count: 3))
        let app = try await start(standIn, dailyQuota: 3)
        try await withFixture(app) { app in
            var refused: [String] = []
            for n in 0..<3 { refused.append(try #require(try await app.post(SendTestApp.message(to: ["r\(n)@example.net"])).id)) }
            for id in refused { #expect(try await app.waitForState(id, ["sent", "failed"]).state == "failed") }
            // Nothing was sent yet: the whole quota of 3 is still there.
            let valid = try #require(try await app.post(SendTestApp.message(to: ["ok@example.net"])).id)
            #expect(try await app.waitForState(valid, ["sent", "failed"]).state == "sent")
            #expect(standIn.sendRequests.count == 4)
        }
    }

    /// A retried call that certainly reached no sending (SES refused the keys; no connection) gives its quota
    /// back: counted, it would hold the retry for a day on a quota of 1.
    @Test func aRetriedCallSESRefusedBeforeSendingGivesItsQuotaBack() async throws {
        let refused = TestHTTPServer.Response.sesError("ExpiredTokenException", status: 403, message: "The security token included in the request is expired")
        let standIn = try SESStandIn(script: [refused])
        let app = try await start(standIn, dailyQuota: 1)
        try await withFixture(app) { app in
            let id = try #require(try await app.post(SendTestApp.message(to: ["retry@example.net"])).id)
            let done = try await app.waitForState(id, ["sent", "failed"])
            #expect(done.state == "sent")
            #expect(standIn.sendRequests.count == 2)
        }
    }

    @Test func aMessageSuppressedAtTheClaimUsesNoQuota() async throws {
        let standIn = try SESStandIn()
        let app = try await start(standIn, dailyQuota: 1)
        try await withFixture(app) { app in
            // Held while its only recipient becomes suppressed: dropped at the claim, after its send time was reserved.
            let now = Date()
            _ = try await app.context.sending.pause(reason: "test hold", source: .operator, at: now)
            let dropped = try #require(try await app.post(SendTestApp.message(to: ["late@example.net"])).id)
            try await app.context.store.putManual(Suppression(address: "late@example.net", reason: .complaint, firstSeen: now, source: "operator:test"))
            _ = try await app.context.sending.resume()
            #expect(try await app.waitForState(dropped, ["sent", "failed", "suppressed"]).state == "suppressed")

            let valid = try #require(try await app.post(SendTestApp.message(to: ["ok@example.net"])).id)
            #expect(try await app.waitForState(valid, ["sent", "failed"]).state == "sent")
            #expect(standIn.sendRequests.count == 1)
        }
    }

    @Test func recipientsDroppedAtTheClaimUseNoQuota() async throws {
        let standIn = try SESStandIn()
        let app = try await start(standIn, dailyQuota: 2)
        try await withFixture(app) { app in
            let now = Date()
            _ = try await app.context.sending.pause(reason: "test hold", source: .operator, at: now)
            let both = try #require(try await app.post(SendTestApp.message(to: ["keep@example.net", "late@example.net"])).id)
            try await app.context.store.putManual(Suppression(address: "late@example.net", reason: .complaint, firstSeen: now, source: "operator:test"))
            _ = try await app.context.sending.resume()
            let sent = try await app.waitForState(both, ["sent", "failed", "suppressed"])
            #expect(sent.state == "sent")
            #expect(sent.json["recipients"] as? [String] == ["keep@example.net"])

            // One recipient of the quota of 2 went out; one is left.
            let valid = try #require(try await app.post(SendTestApp.message(to: ["ok@example.net"])).id)
            #expect(try await app.waitForState(valid, ["sent", "failed"]).state == "sent")
            #expect(standIn.sendRequests.count == 2)
        }
    }
}
