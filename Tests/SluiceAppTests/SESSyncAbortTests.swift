import SluiceTestSupport
import Foundation
import Testing
import SluiceAWS
import SluiceCore
import SluiceHTTP
@testable import SluiceApp

/// Push refusals that are not about a row, and pulls whose paging never ends: the pass stops, no cursor moves.
struct SESSyncAbortTests {
    private func start(_ endpoint: String) async throws -> SendTestApp {
        try await SendTestApp.start(settings: [
            "ses.transport": .string("ses"), "ses.endpoint": .string(endpoint), "ses.max_send_rate": .float(100),
            "ses.suppression_push": .boolean(true), "ses.suppression_push_rate": .float(100),
        ], environment: SendTestApp.staticKeys)
    }

    private func sync(_ app: SendTestApp, pullRate: Double = 100) async throws -> SESSuppressionSync {
        var sync = SESSuppressionSync(
            store: app.context.store, client: try #require(await SESClientFactory.make(
                configuration: SendGateConfiguration(configuration: app.context.configuration), environment: SendTestApp.staticKeys, logger: app.context.logger)),
            normalizer: app.context.normalizer, logger: app.context.logger, now: { Date() })
        sync.backoff = Backoff(base: 0.01, cap: 0.02, maxRetries: 2)
        sync.pullRate = pullRate
        return sync
    }

    static let accessDenied = TestHTTPServer.Response.sesError(
        "AccessDeniedException", status: 403, message: "User is not authorized to perform: ses:PutSuppressedDestination")

    static let notAboutTheRow: [TestHTTPServer.Response] = [
        accessDenied,
        .sesError("LimitExceededException", status: 400, message: "limit"),
        .sesError("AccountSuspendedException", status: 400, message: "paused"),
    ]

    @Test(arguments: 0..<notAboutTheRow.count)
    func pushAbortsOnRefusalsNotAboutTheRowAndKeepsTheCursor(_ index: Int) async throws {
        let standIn = try SESSuppressionStandIn()
        defer { standIn.server.stop() }
        let app = try await start(standIn.endpoint)
        try await withFixture(app) { app in
            let hourAgo = Date().addingTimeInterval(-3600)
            try await app.context.store.putManual(Suppression(address: "a@example.net", reason: .hardBounce, firstSeen: hourAgo, source: "test"))
            try await app.context.store.putManual(Suppression(address: "b@example.net", reason: .complaint, firstSeen: hourAgo, source: "test"))
            standIn.failNext([Self.notAboutTheRow[index]])

            let error = await #expect(throws: SESError.self) { try await sync(app).push() }
            #expect(error?.httpStatus != nil)
            #expect(standIn.requests("PUT").count == 1, "the pass stops at the first refusal of the account")
            // The pass did not complete: the next one still pushes both rows.
            let cursor = try await app.context.store.setting(SESSuppressionSync.pushKey)
            #expect(cursor?.contains("\"since\"") != true)
            let report = try await sync(app).push()
            #expect(report.pushed == 2)
            #expect(standIn.entries.keys.sorted() == ["a@example.net", "b@example.net"])
        }
    }

    @Test func pushSkipsOnlyRowsSESRefusesAsInvalid() async throws {
        let standIn = try SESSuppressionStandIn()
        defer { standIn.server.stop() }
        let app = try await start(standIn.endpoint)
        try await withFixture(app) { app in
            let hourAgo = Date().addingTimeInterval(-3600)
            try await app.context.store.putManual(Suppression(address: "a@example.net", reason: .hardBounce, firstSeen: hourAgo, source: "test"))
            try await app.context.store.putManual(Suppression(address: "b@example.net", reason: .hardBounce, firstSeen: hourAgo, source: "test"))
            standIn.failNext([.sesError("BadRequestException", status: 400, message: "Invalid email address.")])
            let report = try await sync(app).push()
            #expect(report.pushed == 1)
            #expect(report.rejected == 1)
        }
    }

    @Test func pushRefusalIsTable() {
        func error(_ status: Int, _ type: String?) -> SESError {
            SESError(.service, "x", httpStatus: status, awsErrorType: type, retry: RetryClassifier.classify(status: status, errorType: type))
        }
        #expect(SESSuppressionSync.refusesRow(error(400, "BadRequestException")))
        #expect(SESSuppressionSync.refusesRow(error(400, nil)))
        #expect(!SESSuppressionSync.refusesRow(error(403, "AccessDeniedException")))
        #expect(!SESSuppressionSync.refusesRow(error(400, "LimitExceededException")))
        #expect(!SESSuppressionSync.refusesRow(error(404, "NotFoundException")))
        #expect(!SESSuppressionSync.refusesRow(error(400, "AccountSuspendedException")))
        #expect(!SESSuppressionSync.refusesRow(SESError(.invalidRequest, "x", retry: .permanent)))
    }

    @Test func cliSyncExitsNonZeroWhenSESRefusesTheAccount() async throws {
        let server = try TestHTTPServer { _ in Self.accessDenied }
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-ses-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = try await SendTestApp.cliEnvironment(directory: directory, sesEndpoint: server.baseURL)
        environment["SLUICE_SES_SUPPRESSION_PUSH_RATE"] = "100"
        for address in ["one@example.net", "two@example.net"] {
            let add = try await runChildProcess(sluiceExecutable, ["suppressions", "add", address, "--reason", "hard_bounce"], environment: environment)
            #expect(add.status == 0, "\(add.stderr)")
        }
        let sync = try await runChildProcess(sluiceExecutable, ["ses", "sync", "--push", "--json"], environment: environment)
        #expect(sync.status == 1, "\(sync.stdout)")
        #expect(!sync.stdout.contains("pushRejected"))
        #expect(sync.stderr.contains("AccessDeniedException"))
    }

    @Test func cliRemoveWithSESRefusesAtOnceWhenCredentialsGiveNoKeys() async throws {
        let server = try TestHTTPServer { _ in .json("{}") }
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-ses-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = try await SendTestApp.cliEnvironment(directory: directory, sesEndpoint: server.baseURL)
        environment.removeValue(forKey: "AWS_SECRET_ACCESS_KEY")
        let add = try await runChildProcess(sluiceExecutable, ["suppressions", "add", "kept@example.net", "--reason", "complaint"], environment: environment)
        #expect(add.status == 0, "\(add.stderr)")
        let remove = try await runChildProcess(sluiceExecutable, ["suppressions", "remove", "kept@example.net", "--ses"], environment: environment)
        #expect(remove.status == 1, "\(remove.stderr)")
        #expect(remove.stderr.contains("nothing removed: AWS credentials are configured but give no keys now"), "\(remove.stderr)")
        #expect(server.requests.isEmpty)
        let show = try await runChildProcess(sluiceExecutable, ["suppressions", "show", "kept@example.net"], environment: environment)
        #expect(show.status == 0, "still suppressed here: \(show.stderr)")
    }

    @Test func pullStopsWhenSESRepeatsANextToken() async throws {
        let server = try TestHTTPServer { request in
            guard request.path.hasPrefix("/v2/email/suppression/addresses") else { return .json("{}") }
            return .json(#"{"SuppressedDestinationSummaries":[{"EmailAddress":"loop@example.net","Reason":"BOUNCE","LastUpdateTime":1700000000}],"NextToken":"same"}"#)
        }
        defer { server.stop() }
        let app = try await start(server.baseURL)
        try await withFixture(app) { app in
            await #expect(throws: SESSuppressionSync.PagingError.self) { try await sync(app).pull() }
            let lists = server.requests.filter { $0.path.hasPrefix("/v2/email/suppression/addresses") }
            #expect(lists.count == 2, "the first page, then the page the token named; its repeat ends the pull")
            let cursor = try await app.context.store.setting(SESSuppressionSync.pullKey)
            #expect(cursor == nil || cursor == "{}", "no watermark from an unfinished listing, and no position to resume a loop from: \(cursor ?? "")")
        }
    }

    /// A pull that fails midway keeps its position; the next goes on from the page after the last imported.
    @Test func anInterruptedPullGoesOnFromItsNextPage() async throws {
        let standIn = try SESSuppressionStandIn(pageLimit: 1)
        defer { standIn.server.stop() }
        for n in 0..<3 { standIn.set("r\(n)@example.net", reason: "BOUNCE", updated: Date(timeIntervalSince1970: 1_700_000_000 + Double(n))) }
        standIn.fail(whenToken: "2", with: .sesError("AccessDeniedException", status: 403, message: "denied"))
        let app = try await start(standIn.endpoint)
        try await withFixture(app) { app in
            await #expect(throws: SESError.self) { try await sync(app).pull() }
            #expect(try await app.context.store.suppression(for: "r1@example.net", scope: nil, at: Date()) != nil)
            #expect(try await app.context.store.suppression(for: "r2@example.net", scope: nil, at: Date()) == nil)
            let before = standIn.requests("GET").count
            let report = try await sync(app).pull()
            let resumed = standIn.requests("GET").dropFirst(before)
            #expect(resumed.count == 1, "only the page not yet imported")
            #expect(resumed.first.map { SESSuppressionStandIn.query($0.query)["NextToken"] } == "2")
            #expect(report.imported == 1)
            #expect(try await app.context.store.suppression(for: "r2@example.net", scope: nil, at: Date()) != nil)
            let cursor = try await app.context.store.setting(SESSuppressionSync.pullKey) ?? ""
            #expect(cursor.contains("1700000002") && !cursor.contains("resume"), "\(cursor)")
        }
    }

    /// The watermark never passes the time the listing began (less a margin): an entry added while a long
    /// listing ran may sort into a page already read, and the next pull must list it.
    @Test func theWatermarkStopsBeforeTheListingBegan() async throws {
        let standIn = try SESSuppressionStandIn(pageLimit: 1)
        defer { standIn.server.stop() }
        for n in 0..<2 { standIn.set("w\(n)@example.net", reason: "BOUNCE", updated: Date()) }
        let app = try await start(standIn.endpoint)
        try await withFixture(app) { app in
            let began = Date()
            _ = try await sync(app).pull()
            let cursor = try #require(try await app.context.store.setting(SESSuppressionSync.pullKey))
            let start = try #require(try JSONDecoder().decode(SESSuppressionSync.PullCursor.self, from: Data(cursor.utf8)).start)
            #expect(start <= began.timeIntervalSince1970 - SESSuppressionSync.pullOverlap + 5)
            #expect(try await sync(app).pull().listed == 2, "listed again from before the listing began")
        }
    }

    /// A saved position SES no longer takes (an expired token) starts the listing over.
    @Test func aRefusedSavedPositionStartsTheListingOver() async throws {
        let standIn = try SESSuppressionStandIn(pageLimit: 2)
        defer { standIn.server.stop() }
        for n in 0..<3 { standIn.set("s\(n)@example.net", reason: "COMPLAINT", updated: Date(timeIntervalSince1970: 1_700_000_000)) }
        let app = try await start(standIn.endpoint)
        try await withFixture(app) { app in
            try await app.context.store.setSetting(SESSuppressionSync.pullKey, #"{"resume":{"token":"expired"}}"#)
            let report = try await sync(app).pull()
            #expect(report.imported == 3)
            #expect(report.pages == 2)
            let tokens = standIn.requests("GET").map { SESSuppressionStandIn.query($0.query)["NextToken"] }
            #expect(tokens == ["expired", nil, "2"])
        }
    }

    @Test func pullPagesArePaced() async throws {
        let standIn = try SESSuppressionStandIn(pageLimit: 1)
        defer { standIn.server.stop() }
        for n in 0..<3 { standIn.set("p\(n)@example.net", reason: "BOUNCE", updated: Date().addingTimeInterval(-60)) }
        let app = try await start(standIn.endpoint)
        try await withFixture(app) { app in
            let started = ContinuousClock.now
            let report = try await sync(app, pullRate: 5).pull()
            #expect(report.pages == 3)
            // Three pages at 5 per second: at least two intervals of 200 ms.
            #expect(ContinuousClock.now - started >= .milliseconds(400))
        }
    }
}
