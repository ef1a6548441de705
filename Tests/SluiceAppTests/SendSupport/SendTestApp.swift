import SluiceTestSupport
import Foundation
import Logging
import SluiceCore
import SluiceHTTP
import Synchronization
import Testing
@testable import SluiceApp

/// A whole Application on 127.0.0.1 (port 0) with a temporary database, plus a client for /v1/messages.
final class SendTestApp: StoppableFixture {
    static let token = "send-test-token"
    let app: Application
    /// Held for as long as the app runs: released (and removed) after `stop()` and the test are done.
    let database: SendTestDatabase
    var databasePath: String { database.path }
    let logs: CapturingLogHandler.Lines
    private let client: HTTPClient

    var baseURL: String { "http://127.0.0.1:\(app.port)" }
    var context: AppContext { app.context }

    /// - Parameters:
    ///   - settings: `ses.*` (and other) overrides applied on top of the defaults.
    ///   - database: one the test made (to open it before, or to start again on it); a fresh one otherwise.
    ///   - environment: what the credential chain sees (static keys for the stand-in and moto).
    ///   - now: the app's clock (`Application.build(now:)`).
    static func start(
        database: SendTestDatabase? = nil, settings: [String: TOMLValue] = [:], environment: [String: String] = [:],
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> SendTestApp {
        let database = try database ?? SendTestDatabase()
        let path = database.path
        var configuration = SluiceConfiguration.defaults
        try configuration.set("database.path", .string(path))
        try configuration.set("http.port", .integer(0))
        try configuration.set("http.threads", .integer(2))
        try configuration.set("api.tokens", .array([.string(token)]))
        for (key, value) in settings { try configuration.set(key, value) }
        let (logger, logs) = CapturingLogHandler.logger(label: "sluice.send.tests", level: .info)
        let app = try Application.build(
            configuration: configuration, logger: logger, environment: try TestEnvironment.isolated(environment), now: now)
        try app.start()
        return try SendTestApp(app: app, database: database, logs: logs)
    }

    /// Static keys as the environment link of the credential chain reads them.
    static let staticKeys = ["AWS_ACCESS_KEY_ID": "AKIDSENDTEST", "AWS_SECRET_ACCESS_KEY": "send-test-secret"]

    /// The environment of a `sluice` CLI child that talks to the SES at `sesEndpoint` with `staticKeys`: this
    /// process's environment without `SLUICE_*`/`AWS_*`, no metadata service, its database in `directory`
    /// (created here with `sluice migrate`).
    static func cliEnvironment(directory: URL, sesEndpoint: String) async throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLUICE_") && !$0.key.hasPrefix("AWS_") }
        environment.merge(staticKeys) { $1 }
        environment["HOME"] = directory.path
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["SLUICE_DATABASE_PATH"] = directory.appendingPathComponent("db.sqlite").path
        environment["SLUICE_SES_TRANSPORT"] = "ses"
        environment["SLUICE_SES_ENDPOINT"] = sesEndpoint
        let migrated = try await runChildProcess(sluiceExecutable, ["migrate"], environment: environment)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        return environment
    }

    private init(app: Application, database: SendTestDatabase, logs: CapturingLogHandler.Lines) throws {
        self.app = app
        self.database = database
        self.logs = logs
        client = try HTTPClient(configuration: HTTPClientConfiguration(
            connectTimeout: .seconds(2), readTimeout: .seconds(10), totalTimeout: .seconds(15), maxIdleConnectionsPerHost: 0))
    }

    func stop() async { await app.shutdown() }

    struct Reply: @unchecked Sendable {
        // @unchecked: `json` is a JSONSerialization tree, only read by the test that made it.
        let status: Int
        let headers: HTTPHeaders
        let json: [String: Any]
        var state: String? { json["state"] as? String }
        var id: String? { json["id"] as? String }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    }

    func post(_ body: String, key: String? = nil, token: String? = SendTestApp.token) async throws -> Reply {
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/json")
        if let token { headers.set("Authorization", "Bearer \(token)") }
        if let key { headers.set("Idempotency-Key", key) }
        let response = try await client.execute(HTTPClientRequest(method: "POST", url: baseURL + "/v1/messages", headers: headers, body: Array(body.utf8)))
        return Self.reply(response)
    }

    func get(_ id: String) async throws -> Reply {
        var headers = HTTPHeaders()
        headers.set("Authorization", "Bearer \(Self.token)")
        let response = try await client.execute(HTTPClientRequest(url: baseURL + "/v1/messages/" + id, headers: headers))
        return Self.reply(response)
    }

    /// Polls until the message reaches one of `states` (bounded: ~15 s).
    func waitForState(_ id: String, _ states: Set<String>) async throws -> Reply {
        for _ in 0..<750 {
            let reply = try await get(id)
            if let state = reply.state, states.contains(state) { return reply }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("message \(id) never reached \(states); last: \(try await get(id).json)")
    }

    /// Polls `condition` (bounded: ~15 s).
    func waitUntil(_ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
        for _ in 0..<750 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("timed out waiting for \(what)")
    }

    private static func reply(_ response: HTTPClientResponse) -> Reply {
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        return Reply(status: response.status, headers: response.headers, json: json)
    }

    /// A simple message body.
    static func message(from: String = "sender@example.com", to: [String], subject: String = "Hello", text: String = "Body") -> String {
        let object: [String: Any] = ["from": from, "to": to, "subject": subject, "text": text]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}

/// A fresh folder for a test database (`sluice.sqlite`, created by the store), removed when the last
/// holder lets go: the test that made it and every `SendTestApp` started on it.
final class SendTestDatabase: Sendable {
    private let directory: TestDirectory
    var path: String { directory.path + "/sluice.sqlite" }

    init() throws { directory = try TestDirectory(prefix: "sluice-send") }
}

/// A scripted SES v2 stand-in: GetAccount, and SendEmail answers taken from a queue (then 200s).
final class SESStandIn: Sendable {
    let server: TestHTTPServer
    /// Holds the scripted answers; a class so the server's handler can share it.
    final class Script: Sendable {
        let responses: Mutex<[TestHTTPServer.Response]>
        let counter = Atomic<Int>(0)
        init(_ responses: [TestHTTPServer.Response]) { self.responses = Mutex(responses) }
    }

    init(maxSendRate: Double = 200, max24HourSend: Double = 100_000, script: [TestHTTPServer.Response] = []) throws {
        let queue = Script(script)
        server = try TestHTTPServer { request in
            if request.method == "GET" && request.path == "/v2/email/account" {
                return .json(#"{"SendQuota":{"Max24HourSend":\#(max24HourSend),"MaxSendRate":\#(maxSendRate),"SentLast24Hours":0},"SendingEnabled":true,"ProductionAccessEnabled":true,"EnforcementStatus":"HEALTHY"}"#)
            }
            guard request.method == "POST", request.path == "/v2/email/outbound-emails" else {
                return .sesError("NotFoundException", status: 404, message: "not found")
            }
            let scripted = queue.responses.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            if let scripted { return scripted }
            let n = queue.counter.add(1, ordering: .relaxed).newValue
            return .json(#"{"MessageId":"stand-in-\#(n)"}"#)
        }
    }

    var endpoint: String { server.baseURL }
    var sendRequests: [TestHTTPServer.Request] { server.requests.filter { $0.path == "/v2/email/outbound-emails" } }
    var accountRequests: Int { server.requests.filter { $0.path == "/v2/email/account" }.count }
}
