import SluiceTestSupport
import Foundation
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceApp

/// Two-way sync with the SES account-level suppression list against a recording stand-in.
struct SESSyncTests {
    private func start(_ standIn: SESSuppressionStandIn, push: Bool = true) async throws -> SendTestApp {
        try await SendTestApp.start(settings: [
            "ses.transport": .string("ses"), "ses.endpoint": .string(standIn.endpoint), "ses.max_send_rate": .float(100),
            "ses.suppression_push": .boolean(push), "ses.suppression_push_rate": .float(100),
        ], environment: SendTestApp.staticKeys)
    }

    private func service(_ app: SendTestApp) -> SESSyncService {
        SESSyncService(context: app.context, environment: SendTestApp.staticKeys.merging(["AWS_EC2_METADATA_DISABLED": "true"]) { $1 })
    }

    private func put(_ app: SendTestApp, _ address: String, _ reason: SuppressionReason, at date: Date, scope: String = "") async throws {
        try await app.context.store.putManual(Suppression(address: address, scope: scope, reason: reason, firstSeen: date, source: "test"))
    }

    @Test func pushSendsHardBouncesAndComplaintsOnceAndRetriesAfter429() async throws {
        let standIn = try SESSuppressionStandIn()
        defer { standIn.server.stop() }
        let app = try await start(standIn)
        try await withFixture(app) { app in
            let hourAgo = Date().addingTimeInterval(-3600)
            try await put(app, "bounce@example.net", .hardBounce, at: hourAgo)
            try await put(app, "complaint@example.net", .complaint, at: hourAgo)
            try await put(app, "manual@example.net", .manual, at: hourAgo)
            try await put(app, "unsub@example.net", .unsubscribed, at: hourAgo)
            try await put(app, "scoped@example.net", .hardBounce, at: hourAgo, scope: "news")
            try await put(app, "fromses@example.net", .sesAccount, at: hourAgo)
            standIn.failNext([SESSuppressionStandIn.throttled])
            // Each pass reaches back a second before the previous one started (clock overlap): a pass starts
            // over a second after the writes it is to take, so the next one sees only what was written since.
            try await Task.sleep(for: .milliseconds(1100))

            let first = try await service(app).sync(push: true, pull: false)
            #expect(first.pushed == 2)
            #expect(standIn.entries.mapValues(\.reason) == ["bounce@example.net": "BOUNCE", "complaint@example.net": "COMPLAINT"])
            // The throttled call was retried: 3 PUTs for 2 addresses.
            #expect(standIn.requests("PUT").count == 3)

            // Incremental: nothing changed, nothing pushed; a new hard bounce is pushed alone.
            #expect(try await service(app).sync(push: true, pull: false).pushed == 0)
            try await put(app, "new@example.net", .hardBounce, at: Date())
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await service(app).sync(push: true, pull: false).pushed == 1)
            #expect(standIn.entries["new@example.net"]?.reason == "BOUNCE")
            #expect(try await app.context.store.setting(SESSuppressionSync.pushKey) != nil)

            // A bounce that happened before that pass but reaches Sluice after it (SNS redelivering a backlog):
            // written now, so the next pass pushes it although its event time is a day old.
            try await put(app, "late@example.net", .hardBounce, at: Date().addingTimeInterval(-86_400))
            #expect(try await service(app).sync(push: true, pull: false).pushed == 1)
            #expect(standIn.entries["late@example.net"]?.reason == "BOUNCE")
        }
    }

    @Test func pushGivesUpAfterRetriesAndResumesLater() async throws {
        let standIn = try SESSuppressionStandIn()
        defer { standIn.server.stop() }
        let app = try await start(standIn)
        try await withFixture(app) { app in
            try await put(app, "a@example.net", .hardBounce, at: Date().addingTimeInterval(-3600))
            standIn.failNext(Array(repeating: SESSuppressionStandIn.throttled, count: 7))
            var sync = SESSuppressionSync(
                store: app.context.store, client: try #require(await SESClientFactory.make(
                    configuration: SendGateConfiguration(configuration: app.context.configuration), environment: SendTestApp.staticKeys, logger: app.context.logger)),
                normalizer: app.context.normalizer, logger: app.context.logger, now: { Date() })
            sync.backoff = Backoff(base: 0.01, cap: 0.02, maxRetries: 3)
            await #expect(throws: (any Error).self) { try await sync.push() }
            #expect(standIn.entries.isEmpty)
            // Three throttles are left; the default retries get through them.
            #expect(try await service(app).sync(push: true, pull: false).pushed == 1)
            #expect(standIn.entries["a@example.net"]?.reason == "BOUNCE")
        }
    }

    /// A push SES refuses (an IAM policy that allows listing only) does not keep the pull from running;
    /// the sync still reports the push's failure.
    @Test func aRefusedPushStillLetsThePullRun() async throws {
        let standIn = try SESSuppressionStandIn()
        defer { standIn.server.stop() }
        let app = try await start(standIn)
        try await withFixture(app) { app in
            try await put(app, "local@example.net", .hardBounce, at: Date().addingTimeInterval(-3600))
            standIn.set("remote@example.net", reason: "BOUNCE", updated: Date().addingTimeInterval(-60))
            standIn.failNext([.sesError("AccessDeniedException", status: 403, message: "not allowed")])
            await #expect(throws: (any Error).self) { try await service(app).sync(push: true, pull: true) }
            #expect(standIn.entries["local@example.net"] == nil)
            #expect(try await app.context.store.suppression(for: "remote@example.net", scope: nil, at: Date())?.reason == .sesAccount)
            #expect(app.logs.contains("ses suppression push failed; pulling all the same"))
        }
    }

    @Test func pullImportsIncrementallyWithoutOverwritingLocalRows() async throws {
        let standIn = try SESSuppressionStandIn(pageLimit: 2)
        defer { standIn.server.stop() }
        let app = try await start(standIn, push: false)
        try await withFixture(app) { app in
            let base = Date(timeIntervalSince1970: 1_790_000_000)
            standIn.set("one@example.net", reason: "BOUNCE", updated: base)
            standIn.set("two@example.net", reason: "COMPLAINT", updated: base.addingTimeInterval(10))
            standIn.set("three@example.net", reason: "BOUNCE", updated: base.addingTimeInterval(20))
            try await put(app, "two@example.net", .complaint, at: base)

            let first = try await service(app).sync(push: false, pull: true)
            #expect(first.pulledListed == 3)
            #expect(first.pulledImported == 2)
            let one = try #require(try await app.context.store.suppression(for: "one@example.net", scope: nil, at: Date()))
            #expect(one.reason == .sesAccount)
            #expect(one.source == "ses_account")
            #expect(one.detail == "BOUNCE")
            // The local complaint keeps its reason.
            #expect(try await app.context.store.suppression(for: "two@example.net", scope: nil, at: Date())?.reason == .complaint)
            let firstLists = standIn.requests("GET")
            #expect(firstLists.count == 2)
            #expect(firstLists.allSatisfy { !$0.query.contains("StartDate") })
            #expect(firstLists[1].query.contains("NextToken=2"))

            standIn.set("four@example.net", reason: "COMPLAINT", updated: base.addingTimeInterval(30))
            let second = try await service(app).sync(push: false, pull: true)
            #expect(second.pulledImported == 1)
            let incremental = try #require(standIn.requests("GET").last)
            #expect(SESSuppressionStandIn.query(incremental.query)["StartDate"] == "2026-09-21T14:13:40Z")
            #expect(try await app.context.store.suppression(for: "four@example.net", scope: nil, at: Date())?.reason == .sesAccount)
        }
    }

    @Test func pullRetriesAfter429() async throws {
        let standIn = try SESSuppressionStandIn()
        defer { standIn.server.stop() }
        let app = try await start(standIn, push: false)
        try await withFixture(app) { app async throws in
            standIn.set("x@example.net", reason: "BOUNCE", updated: Date())
            standIn.failNext([SESSuppressionStandIn.throttled, SESSuppressionStandIn.throttled])
            #expect(try await service(app).sync(push: false, pull: true).pulledImported == 1)
            #expect(standIn.requests("GET").count == 3)
        }
    }

    @Test func deleteWithSESFlagRemovesBothPlaces() async throws {
        let standIn = try SESSuppressionStandIn()
        defer { standIn.server.stop() }
        let app = try await start(standIn, push: false)
        try await withFixture(app) { app in
            try await put(app, "gone@example.net", .hardBounce, at: Date())
            standIn.set("gone@example.net", reason: "BOUNCE", updated: Date())
            standIn.set("remote-only@example.net", reason: "BOUNCE", updated: Date())
            let client = try HTTPClient(configuration: HTTPClientConfiguration(maxIdleConnectionsPerHost: 0))
            func delete(_ address: String, ses: Bool) async throws -> Int {
                var headers = HTTPHeaders()
                headers.set("Authorization", "Bearer \(SendTestApp.token)")
                let url = app.baseURL + "/v1/suppressions/" + address + (ses ? "?ses=true" : "")
                return try await client.execute(HTTPClientRequest(method: "DELETE", url: url, headers: headers)).status
            }
            #expect(try await delete("gone@example.net", ses: true) == 204)
            #expect(try await app.context.store.suppressions(of: "gone@example.net").isEmpty)
            #expect(standIn.entries["gone@example.net"] == nil)
            #expect(standIn.requests("DELETE").last?.path == "/v2/email/suppression/addresses/gone%40example.net")
            // Listed only at SES: still removed there.
            #expect(try await delete("remote-only@example.net", ses: true) == 204)
            #expect(standIn.entries.isEmpty)
            // Neither place: 404. Without the flag SES is not called.
            #expect(try await delete("nobody@example.net", ses: true) == 404)
            let calls = standIn.requests("DELETE").count
            try await put(app, "local@example.net", .manual, at: Date())
            #expect(try await delete("local@example.net", ses: false) == 204)
            #expect(standIn.requests("DELETE").count == calls)
        }
    }

    /// `DELETE /v1/suppressions/{address}?ses=true` with the API token.
    static func deleteWithSES(_ app: SendTestApp, _ address: String) async throws -> HTTPClientResponse {
        let client = try HTTPClient(configuration: HTTPClientConfiguration(maxIdleConnectionsPerHost: 0))
        var headers = HTTPHeaders()
        headers.set("Authorization", "Bearer \(SendTestApp.token)")
        return try await client.execute(HTTPClientRequest(
            method: "DELETE", url: app.baseURL + "/v1/suppressions/\(address)?ses=true", headers: headers))
    }

    @Test func deleteWithSESFlagWhenSESIsUnreachableChangesNothing() async throws {
        let app = try await SendTestApp.start(settings: ["ses.transport": .string("outbox")])
        try await withFixture(app) { app in
            try await put(app, "kept@example.net", .complaint, at: Date())
            let response = try await Self.deleteWithSES(app, "kept@example.net")
            #expect(response.status == 409)
            #expect(response.bodyText.contains(#""code":"ses_unavailable""#))
            #expect(try await app.context.store.suppressions(of: "kept@example.net").count == 1, "nothing removed")
        }
    }

    /// Configured keys that give nothing (here: an access key without its secret) refuse at once, before any
    /// change: each SES call would wait for keys and be retried, holding the request for many seconds.
    @Test func deleteWithSESFlagWhenCredentialsGiveNoKeysIs503AtOnce() async throws {
        let standIn = try SESSuppressionStandIn()
        defer { standIn.server.stop() }
        standIn.set("kept@example.net", reason: "COMPLAINT", updated: Date())
        let app = try await SendTestApp.start(
            settings: ["ses.transport": .string("auto"), "ses.endpoint": .string(standIn.endpoint)],
            environment: ["AWS_ACCESS_KEY_ID": "AKIDPARTIAL"])
        try await withFixture(app) { app in
            try await put(app, "kept@example.net", .complaint, at: Date())
            let response = try await Self.deleteWithSES(app, "kept@example.net")
            #expect(response.status == 503)
            #expect(response.headers["retry-after"] == "30")
            #expect(response.bodyText.contains(#""code":"ses_credentials_unavailable""#))
            #expect(response.bodyText.contains("AWS_SECRET_ACCESS_KEY"), "the reason names what is missing: \(response.bodyText)")
            #expect(try await app.context.store.suppressions(of: "kept@example.net").count == 1, "nothing removed here")
            #expect(standIn.entries["kept@example.net"] != nil, "nor at SES")
            #expect(standIn.requests("DELETE").isEmpty)
        }
    }

    /// `ses.transport = ses` with nothing configured is a configuration problem (409), not a passing one (503).
    @Test func deleteWithSESFlagWithoutAnyCredentialsIs409() async throws {
        let app = try await SendTestApp.start(
            settings: ["ses.transport": .string("ses"), "ses.endpoint": .string("http://127.0.0.1:9")],
            environment: ["AWS_EC2_METADATA_DISABLED": "true"])
        try await withFixture(app) { app in
            try await put(app, "kept@example.net", .complaint, at: Date())
            let response = try await Self.deleteWithSES(app, "kept@example.net")
            #expect(response.status == 409)
            #expect(response.bodyText.contains(#""code":"ses_unavailable""#))
            #expect(response.bodyText.contains("no AWS credentials are configured"), "\(response.bodyText)")
            #expect(try await app.context.store.suppressions(of: "kept@example.net").count == 1, "nothing removed")
        }
    }

    @Test func cliSyncAndRemoveWithSES() async throws {
        let standIn = try SESSuppressionStandIn()
        defer { standIn.server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-ses-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }  // made by the child; each one has exited by then
        var environment = try await SendTestApp.cliEnvironment(directory: directory, sesEndpoint: standIn.endpoint)
        environment["SLUICE_SES_SUPPRESSION_PUSH"] = "true"
        environment["SLUICE_SES_SUPPRESSION_PUSH_RATE"] = "100"
        standIn.set("remote@example.net", reason: "COMPLAINT", updated: Date())
        let add = try await runChildProcess(sluiceExecutable, ["suppressions", "add", "local@example.net", "--reason", "hard_bounce"], environment: environment)
        #expect(add.status == 0, "\(add.stderr)")
        let sync = try await runChildProcess(sluiceExecutable, ["ses", "sync", "--json"], environment: environment)
        #expect(sync.status == 0, "\(sync.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(sync.stdout.utf8)) as? [String: Int])
        #expect(report["pushed"] == 1)
        #expect(report["pulledImported"] == 1)
        #expect(standIn.entries["local@example.net"]?.reason == "BOUNCE")
        let remove = try await runChildProcess(sluiceExecutable, ["suppressions", "remove", "remote@example.net", "--ses"], environment: environment)
        #expect(remove.status == 0, "\(remove.stderr)")
        #expect(standIn.entries["remote@example.net"] == nil)
        // Outbox transport: SES is off limits, configuration error.
        environment["SLUICE_SES_TRANSPORT"] = "outbox"
        #expect(try await runChildProcess(sluiceExecutable, ["ses", "sync"], environment: environment).status == 78)
    }
}

/// The periodic worker (`ses.suppression_sync_seconds`).
struct SESSyncWorkerTests {
    @Test func workerPushesAndPullsOnItsInterval() async throws {
        let standIn = try SESSuppressionStandIn()
        defer { standIn.server.stop() }
        standIn.set("remote@example.net", reason: "BOUNCE", updated: Date())
        let app = try await SendTestApp.start(settings: [
            "ses.transport": .string("ses"), "ses.endpoint": .string(standIn.endpoint), "ses.max_send_rate": .float(100),
            "ses.suppression_push": .boolean(true), "ses.suppression_push_rate": .float(100), "ses.suppression_sync_seconds": .integer(1),
        ], environment: SendTestApp.staticKeys)
        try await withFixture(app) { app in
            try await app.context.store.putManual(Suppression(address: "local@example.net", reason: .complaint, firstSeen: Date(), source: "test"))
            let store = app.context.store
            try await app.waitUntil("pulled") { try await store.suppression(for: "remote@example.net", scope: nil, at: Date())?.reason == .sesAccount }
            try await app.waitUntil("pushed") { standIn.entries["local@example.net"]?.reason == "COMPLAINT" }
        }
    }
}
