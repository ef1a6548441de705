import Foundation
import Logging
import Synchronization
import SluiceCore
import SluiceHTTP
import SluiceTestSupport
@testable import SluiceApp

/// A clock tests move by hand; `Application.build(now:)` and the monitor read it.
final class TestClock: Sendable {
    private let value: Mutex<Date>

    init(_ start: Date) { value = Mutex(start) }

    var now: Date { value.withLock { $0 } }

    func advance(_ seconds: TimeInterval) { value.withLock { $0 = $0.addingTimeInterval(seconds) } }

    var closure: @Sendable () -> Date { { [self] in now } }
}

/// A fresh directory under the system temp dir, removed by `remove()`.
struct MonitorTempDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-monitor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var databasePath: String { url.appendingPathComponent("sluice.sqlite").path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

enum MonitorFixture {
    /// 2026-03-02T10:30:00Z: mid-hour, so counters of "this hour" are in the past.
    static let start = Date(timeIntervalSince1970: 1_772_447_400)
    static let token = "t"
    static let silent = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// Defaults with a small volume so a handful of events cross thresholds.
    static func configuration(
        databasePath: String, webhookURL: String? = nil, protection: String = "pause", extra: [(String, TOMLValue)] = []
    ) throws -> SluiceConfiguration {
        var c = SluiceConfiguration.defaults
        try c.set("api.tokens", .array([.string(token)]))
        try c.set("http.port", .integer(0))
        try c.set("http.threads", .integer(1))
        try c.set("database.path", .string(databasePath))
        try c.set("monitoring.min_volume", .integer(10))
        try c.set("monitoring.representative_volume", .integer(100))
        try c.set("monitoring.protection", .string(protection))
        try c.set("monitoring.alert_cooldown_seconds", .integer(60))
        // Nothing may reach SES from a test unless it says so (`auto` would probe IMDS for credentials).
        try c.set("ses.transport", .string("outbox"))
        if let webhookURL { try c.set("monitoring.webhook_url", .string(webhookURL)) }
        for (key, value) in extra { try c.set(key, value) }
        return c
    }

    static func app(_ configuration: SluiceConfiguration, clock: TestClock) throws -> Application {
        try Application.build(configuration: configuration, logger: silent, environment: try TestEnvironment.isolated(), now: clock.closure)
    }

    /// Records `sends` and ingests one SNS message carrying the feedback events, all within the hour of `at`.
    static func seed(
        _ context: AppContext, at: Date, identity: String = "example.com", sends: Int,
        hardBounces: Int = 0, complaints: Int = 0, deliveries: Int = 0, sesSends: Int = 0
    ) async throws {
        try await context.store.recordSends(identity: identity, count: sends, at: at)
        var events: [RecipientEvent] = []
        let eventTime = HourMath.floor(at).addingTimeInterval(60)
        func add(_ kind: EventKind, _ n: Int) {
            for i in 0..<n {
                let address = "\(kind.rawValue)-\(i)-\(UUID().uuidString.prefix(8))@recipients.test".lowercased()
                events.append(RecipientEvent(kind: kind, address: address, sesMessageId: "ses-\(UUID().uuidString)",
                                             timestamp: eventTime, identity: identity, subtype: kind == .hardBounce ? "General" : nil))
            }
        }
        add(.hardBounce, hardBounces)
        add(.complaint, complaints)
        add(.delivery, deliveries)
        add(.send, sesSends)
        guard !events.isEmpty else { return }
        let message = InboundMessage(
            messageId: UUID().uuidString, type: "Notification", topicArn: "arn:aws:sns:us-east-1:123456789012:ses-feedback",
            timestamp: at, receivedAt: at, endpoint: "default", rawCompressed: [0]
        )
        _ = try await context.store.ingest(message, events: events, policy: context.policy)
    }
}

/// A sink that keeps what it was given.
final class RecordingSink: AlertSink {
    private let received = Mutex<[AlertNotification]>([])

    func submit(_ notifications: [AlertNotification]) async {
        received.withLock { $0 += notifications }
    }

    func shutdown() async {}

    var notifications: [AlertNotification] { received.withLock { $0 } }
}

/// A webhook receiver on 127.0.0.1: answers with the queued statuses (then 200) and keeps each body.
final class WebhookReceiver: StoppableFixture {
    final class Recorder: Sendable {
        let bodies = Mutex<[[UInt8]]>([])
        let statuses: Mutex<[HTTPStatus]>
        init(_ statuses: [HTTPStatus]) { self.statuses = Mutex(statuses) }
    }

    let server: HTTPServer
    private let recorder: Recorder

    init(statuses: [HTTPStatus] = []) throws {
        let recorder = Recorder(statuses)
        var router = Router()
        router.add(.POST, "/hook") { request in
            recorder.bodies.withLock { $0.append(request.body) }
            let status = recorder.statuses.withLock { q in q.isEmpty ? HTTPStatus.ok : q.removeFirst() }
            return .text(status, "ok")
        }
        self.recorder = recorder
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 1), responder: router,
                            logger: MonitorFixture.silent)
        try server.start()
    }

    var url: String { "http://127.0.0.1:\(server.port)/hook" }

    var received: [[UInt8]] { recorder.bodies.withLock { $0 } }

    /// The received bodies as JSON objects.
    var payloads: [[String: Any]] {
        received.compactMap { (try? JSONSerialization.jsonObject(with: Data($0))) as? [String: Any] }
    }

    /// Waits (bounded) until at least `count` bodies arrived.
    func waitFor(_ count: Int, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if received.count >= count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return received.count >= count
    }

    func stop() async { await server.shutdown() }
}

/// Small HTTP helpers against a running app.
struct TestAPI {
    let port: Int
    let client: HTTPClient

    init(port: Int) throws {
        self.port = port
        client = try HTTPClient(configuration: HTTPClientConfiguration(maxIdleConnectionsPerHost: 0))
    }

    func request(_ method: String, _ path: String, body: String? = nil, token: String? = MonitorFixture.token) async throws -> HTTPClientResponse {
        var headers = HTTPHeaders()
        if let token { headers.set("Authorization", "Bearer \(token)") }
        if body != nil { headers.set("Content-Type", "application/json") }
        return try await client.execute(HTTPClientRequest(
            method: method, url: "http://127.0.0.1:\(port)\(path)", headers: headers, body: Array((body ?? "").utf8)
        ))
    }

    func json(_ method: String, _ path: String, body: String? = nil) async throws -> [String: Any] {
        let response = try await request(method, path, body: body)
        guard response.status == 200, let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw TestAPIError(status: response.status, body: response.bodyText)
        }
        return object
    }
}

struct TestAPIError: Error, CustomStringConvertible {
    var status: Int
    var body: String
    var description: String { "HTTP \(status): \(body)" }
}
