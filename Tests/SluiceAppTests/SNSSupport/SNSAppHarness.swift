import SluiceTestSupport
import Foundation
import Testing
import Logging
import SluiceHTTP
import SluiceStore
import Synchronization
@testable import SluiceApp

/// Path → reply table for `SNSTestServer`, changeable while the server runs; unknown paths get 404.
final class SNSTestRoutes: Sendable {
    private let table = Mutex<[String: SNSTestServer.Reply]>([:])
    private let held = Mutex<Set<String>>([])

    func set(_ path: String, _ reply: SNSTestServer.Reply) { table.withLock { $0[path] = reply } }

    /// Requests for `path` wait (up to 10 s) until `release(path)`, then get the reply set then.
    func hold(_ path: String) { _ = held.withLock { $0.insert(path) } }
    func release(_ path: String) { _ = held.withLock { $0.remove(path) } }

    /// Serves `<name>.pem` from the PKI at `path`.
    func serveCertificate(_ path: String, _ pki: SNSTestPKI, name: String = "sns") throws {
        set(path, .response(try pki.pem(name)))
    }

    func reply(for request: SNSTestServer.Request) -> SNSTestServer.Reply {
        // On the server's connection thread: polling keeps the other connections answered meanwhile.
        for _ in 0..<1_000 where held.withLock({ $0.contains(request.path) }) { usleep(10_000) }
        return table.withLock { $0[request.path] } ?? .response("not found", status: "404 Not Found")
    }

    /// A started cert/subscribe server answering from a new table.
    static func start(_ pki: SNSTestPKI) throws -> (SNSTestServer, SNSTestRoutes) {
        let routes = SNSTestRoutes()
        let server = try SNSTestServer(pki: pki) { routes.reply(for: $0) }
        return (server, routes)
    }

    static func confirmationResponse(_ subscriptionArn: String) -> SNSTestServer.Reply {
        .response("""
            <ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
              <ConfirmSubscriptionResult><SubscriptionArn>\(subscriptionArn)</SubscriptionArn></ConfirmSubscriptionResult>
              <ResponseMetadata><RequestId>075ecce8-8dac-11e1-bf80-f781d96e9307</RequestId></ResponseMetadata>
            </ConfirmSubscriptionResponse>
            """)
    }
}

/// A real `Application` on 127.0.0.1 (port 0) over a temp SQLite file, plus a local HTTPS server
/// (test CA) that serves signing certificates and SubscribeURLs.
final class SNSAppHarness: StoppableFixture {
    static let certURLPattern = #"^https://127\.0\.0\.1:[0-9]+/SimpleNotificationService-[a-zA-Z0-9]+\.pem$"#

    let pki: SNSTestPKI
    let context: AppContext
    let port: Int
    private let stopServer: @Sendable () async -> Void
    /// Removed by `stop()`, or at the latest when the harness is released (also when `init` throws).
    private let temporary: TestDirectory
    var directory: String { temporary.path }
    let clock: SNSTestClock
    let certServer: SNSTestServer
    let certRoutes: SNSTestRoutes
    let certPath: String
    let client: HTTPClient
    let logFile: String
    /// `https` when `SLUICE_HTTP_TLS_CERT_FILE` was given (the client trusts the test CA), else `http`.
    let scheme: String
    var origin: String { "\(scheme)://127.0.0.1:\(port)" }

    var databasePath: String { directory + "/sluice.sqlite" }
    /// `https://127.0.0.1:PORT/SimpleNotificationService-<unique>.pem`, serving `sns.pem`.
    var certURL: String { certServer.origin + certPath }

    /// The environment the configuration was loaded from (also handed to the `sluice` binary).
    let environment: [String: String]

    /// - Parameters:
    ///   - extra: more `SLUICE_*` settings (they win over the defaults here).
    ///   - settings: when given, the SNS routes get these adjusted settings on a plain server over the
    ///     same kind of context (e.g. to admit the 1024-bit key of a 2012 AWS certificate); otherwise
    ///     the whole service is built by `Application.build`.
    init(
        extra: [String: String] = [:], clock: SNSTestClock = SNSTestClock(),
        settings adjust: (@Sendable (inout SNSEndpointSettings) -> Void)? = nil, extraPages: Int? = nil
    ) throws {
        pki = try SNSTestPKI.shared.get()  // this initialiser runs off the pool (see `make`)
        (certServer, certRoutes) = try SNSTestRoutes.start(pki)
        certPath = "/SimpleNotificationService-\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()).pem"
        try certRoutes.serveCertificate(certPath, pki)
        temporary = try TestDirectory(prefix: "sluice-sns-app")
        let directory = temporary.path
        logFile = directory + "/log.jsonl"
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        var environment = [
            "SLUICE_DATABASE_PATH": directory + "/sluice.sqlite",
            "SLUICE_HTTP_PORT": "0",
            "SLUICE_HTTP_THREADS": "2",
            "SLUICE_SNS_TOPIC_ARNS": SNSEnvelope.topicArn,
            "SLUICE_SNS_CA_FILE": pki.caFile,
            "SLUICE_SNS_CERT_URL_PATTERN": Self.certURLPattern,
            "SLUICE_LOG_LEVEL": "info",
            // Nothing may reach SES from a test unless it says so (`auto` would probe IMDS for credentials).
            "SLUICE_SES_TRANSPORT": "outbox",
        ]
        environment.merge(extra) { _, new in new }
        self.environment = environment
        self.clock = clock
        let configuration = try ConfigurationLoader().load(fileText: nil, environment: environment)
        let handle = FileHandle(forWritingAtPath: logFile)!
        let logger = Logger(label: "sluice.test") { label in
            LineLogHandler(label: label, level: .info, format: .json, sink: LineSink(handle: handle))
        }
        if adjust != nil || extraPages != nil {
            var store = try Application.openStore(configuration: configuration, logger: logger)
            if let extraPages {
                // A database that can grow by only `extraPages` pages beyond its migrated schema.
                store.close()
                let pages = try FileManager.default.attributesOfItem(atPath: directory + "/sluice.sqlite")[.size] as? Int ?? 0
                store = try SQLiteStore(configuration: SQLiteStoreConfiguration(
                    path: directory + "/sluice.sqlite", maxPageCount: pages / 4096 + extraPages))
            }
            let opened = store
            let context = AppContext(
                configuration: configuration, logger: logger, store: opened, metrics: AppMetrics(), state: ServiceState(),
                now: clock.function)
            var settings = SNSEndpointSettings(configuration: configuration)
            adjust?(&settings)
            var router = Router()
            try SNSRoutes.register(on: &router, context: context, settings: settings)
            let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0, threads: 2), responder: router, logger: logger)
            try server.start()
            let running = Task { try? await server.run() }
            self.context = context
            port = server.port
            stopServer = {
                await server.shutdown()
                _ = await running.value
                opened.close()
            }
        } else {
            let app = try Application.build(
                configuration: configuration, logger: logger, environment: try TestEnvironment.isolated(), now: clock.function)
            try app.start()
            let running = Task { try? await app.run() }
            context = app.context
            port = app.port
            stopServer = {
                await app.shutdown()
                _ = await running.value
            }
        }
        scheme = configuration.string("http.tls_cert_file").isEmpty ? "http" : "https"
        client = try HTTPClient(configuration: HTTPClientConfiguration(
            extraCAFile: pki.caFile, readTimeout: .seconds(20), totalTimeout: .seconds(30), maxIdleConnectionsPerHost: 8))
    }

    /// Builds a harness on its own thread: set-up blocks (openssl, fsync) and must not starve the
    /// cooperative pool that the servers' handlers and the certificate fetches run on.
    static func make(
        extra: [String: String] = [:], clock: SNSTestClock = SNSTestClock(),
        settings adjust: (@Sendable (inout SNSEndpointSettings) -> Void)? = nil, extraPages: Int? = nil
    ) async throws -> SNSAppHarness {
        try await offPool { try SNSAppHarness(extra: extra, clock: clock, settings: adjust, extraPages: extraPages) }
    }

    /// POSTs `body` to `path` with SNS-like headers.
    func post(_ body: [UInt8], path: String = "/sns", headers: [(String, String)] = []) async throws -> HTTPClientResponse {
        try await client.execute(HTTPClientRequest(
            method: "POST", url: origin + path, headers: HTTPHeaders(headers), body: body))
    }

    func post(_ envelope: SNSEnvelope, path: String = "/sns", extraHeaders: [(String, String)] = []) async throws -> HTTPClientResponse {
        try await post(envelope.body, path: path, headers: envelope.headers + extraHeaders)
    }

    /// POSTs `envelope` from another loopback address (`127.0.0.2` …), so the service sees another client;
    /// plain HTTP only. Blocking, so it runs off the cooperative pool the certificate fetches need.
    func post(_ envelope: SNSEnvelope, from source: String) async throws -> RawHTTP.Response {
        let headers = Dictionary(envelope.headers, uniquingKeysWith: { first, _ in first })
        let body = String(decoding: envelope.body, as: UTF8.self)
        let port = self.port
        return try #require(await offPool { RawHTTP.request(port: port, from: source, "POST", "/sns", headers: headers, body: body) })
    }

    /// Log lines written so far.
    var logLines: [String] {
        (try? String(contentsOfFile: logFile, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    /// The Prometheus value of `sluice_sns_messages_total{type,verdict}`.
    func messagesCounted(type: String, verdict: String) -> UInt64 {
        (try? context.metrics.registry.counter("sluice_sns_messages_total", labels: ["type": type, "verdict": verdict]).value) ?? 0
    }

    func stop() async {
        await stopServer()
        certServer.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
