import Foundation
import SluiceCore
import SluiceHTTP
import SluicePostgres
import SluiceTestSupport
import Synchronization
import Testing
@testable import SluiceApp

/// Two `sluice serve` processes sending through one PostgreSQL database: one account-wide rate, and a
/// killed instance's claims recovered by the other.
@Suite(.serialized)
struct MultiInstanceSendTests {
    static let token = "multi-send-token"

    @Test func sendsThroughBothInstancesShareOneRateLimit() async throws {
        let rate = 5
        let standIn = TimedSESStandIn(maxSendRate: Double(rate))
        defer { standIn.stop() }
        let cluster = try await SendCluster.make()
        defer { cluster.remove() }
        let environmentOne = cluster.environment(endpoint: try standIn.endpoint("one"))
        let environmentTwo = cluster.environment(endpoint: try standIn.endpoint("two"))
        let one = try await offPool { try ServeProcess(environment: environmentOne) }
        defer { one.kill(); one.wait() }
        let two = try await offPool { try ServeProcess(environment: environmentTwo) }
        defer { two.kill(); two.wait() }

        let count = 24
        let started = Date()
        var ids: [String: String] = [:]
        for i in 0..<count {
            // Alternate instances, as a load balancer would.
            ids["r\(i)@example.net"] = try await cluster.post(port: i % 2 == 0 ? one.port : two.port, to: "r\(i)@example.net")
        }
        try await waitUntil("\(count) SES calls") { standIn.calls.count >= count }
        // Room for a duplicate call to show up before counting.
        try await Task.sleep(for: .milliseconds(500))

        let calls = standIn.calls
        let perRecipient = Dictionary(grouping: calls, by: \.to).mapValues(\.count)
        #expect(calls.count == count)
        for (recipient, id) in ids {
            #expect(perRecipient[recipient] == 1, "\(recipient) reached SES \(perRecipient[recipient] ?? 0) times")
            #expect(try await cluster.store.queuedMessage(id: id)?.state == .sent, "\(recipient)")
        }
        let times = calls.map(\.at).sorted()
        // Load-proof: the shared schedule has no burst, so the k-th call leaves no earlier than k slots
        // (1.02/rate s each) after the first post.
        for (k, time) in times.enumerated() {
            #expect(time.timeIntervalSince(started) >= Double(k) / Double(rate) - 0.001, "call \(k) came too early")
        }
        // Any sliding second: at most rate + 1. The schedule itself puts `rate` calls in every 1.02 s; the one
        // extra call is lateness on the way to the stand-in: calls never leave before their slot but may leave
        // after it, and a late call lands in the same second as on-time later ones (seen: the first call, which
        // also opens the connection, ~100 ms late, then five on time). Without the shared budget two instances
        // put ~2 × rate into a second (and the check above fails from the second call on).
        var busiest = 0
        for (i, start) in times.enumerated() {
            busiest = max(busiest, times[i...].prefix { $0.timeIntervalSince(start) < 1 }.count)
        }
        #expect(busiest <= rate + 1, "\(busiest) SES calls in one second (limit \(rate))")
        // Both instances sent (the queue is shared, so either may send any message; with 24 messages both do).
        #expect(Set(calls.map(\.source)).count == 2)
    }

    @Test func bothInstancesTogetherStopAtTheDailyQuota() async throws {
        // SES: 10 a day, 4 already sent today (by anything on the account); SentLast24Hours grows with each call.
        let standIn = TimedSESStandIn(maxSendRate: 50, max24HourSend: 10, sentBefore: 4)
        defer { standIn.stop() }
        let cluster = try await SendCluster.make()
        defer { cluster.remove() }
        let settings = ["SLUICE_SES_MAX_SEND_RATE": "50"]
        let environmentOne = cluster.environment(endpoint: try standIn.endpoint("one")).merging(settings) { $1 }
        let environmentTwo = cluster.environment(endpoint: try standIn.endpoint("two")).merging(settings) { $1 }
        let one = try await offPool { try ServeProcess(environment: environmentOne) }
        defer { one.kill(); one.wait() }
        let two = try await offPool { try ServeProcess(environment: environmentTwo) }
        defer { two.kill(); two.wait() }
        // Both instances have their limits and SES's figure is in the shared ledger before mail arrives.
        let store = cluster.store
        try await waitUntil("both GetAccount calls") { standIn.accountCalls >= 2 }
        try await waitUntil("the seed") { try await store.sendQuotaState(name: "ses", at: Date()).seed != nil }
        try await Task.sleep(for: .milliseconds(300))

        var ids: [String] = []
        for i in 0..<10 {
            ids.append(try await cluster.post(port: i % 2 == 0 ? one.port : two.port, to: "q\(i)@example.net"))
        }
        try await waitUntil("6 SES calls") { standIn.calls.count >= 6 }
        // Room for a 7th call (over the quota) to show up.
        try await Task.sleep(for: .milliseconds(800))
        #expect(standIn.calls.count == 6)
        var states: [MessageState: Int] = [:]
        for id in ids { states[try #require(try await store.queuedMessage(id: id)?.state), default: 0] += 1 }
        #expect(states == [.sent: 6, .queued: 4])
        let state = try await store.sendQuotaState(name: "ses", at: Date())
        #expect(state.used == 10)
        // Reservations for messages an instance then lost to the other were given back: only sends remain.
        #expect(state.ledger == 6 && state.reservedTotal == 6)
    }

    @Test(arguments: [InflightResolution.resend, .fail])
    func killedInstanceClaimsAreRecoveredByTheOther(resolution: InflightResolution) async throws {
        // A's SES hangs, so A holds its claims (`sending`) when it is killed; B's SES answers.
        let standIn = TimedSESStandIn(maxSendRate: 100)
        defer { standIn.stop() }
        let cluster = try await SendCluster.make()
        defer { cluster.remove() }
        // A claim is taken for a crashed instance's once `inflightRecoveryAge` (3 × the SES request timeout)
        // old: a short timeout, so B recovers soon after A dies.
        let timeout = 3.0
        var gate = SendGateConfiguration(configuration: .defaults)
        gate.requestTimeout = timeout
        let recoveryAge = gate.inflightRecoveryAge
        let settings = [
            "SLUICE_SES_REQUEST_TIMEOUT_SECONDS": "\(timeout)", "SLUICE_SES_INFLIGHT_RESOLUTION": resolution.rawValue,
            // Configured, so A does not start at the 1/s fallback before GetAccount answers.
            "SLUICE_SES_MAX_SEND_RATE": "100",
        ]
        let environmentA = cluster.environment(endpoint: try standIn.endpoint("a", hang: true)).merging(settings) { $1 }
        let environmentB = cluster.environment(endpoint: try standIn.endpoint("b")).merging(settings) { $1 }
        let a = try await offPool { try ServeProcess(environment: environmentA) }
        defer { a.kill(); a.wait() }

        let count = 4
        // Posted together, so every call is in flight well inside A's request timeout.
        let ids = try await withThrowingTaskGroup(of: (String, String).self) { group in
            for i in 0..<count {
                group.addTask { ("k\(i)@example.net", try await cluster.post(port: a.port, to: "k\(i)@example.net")) }
            }
            return try await group.reduce(into: [String: String]()) { $0[$1.0] = $1.1 }
        }
        #expect(ids.count == count)
        try await waitUntil("A's SES calls") { standIn.calls.count >= count }
        a.kill()
        await offPool { a.wait() }
        for id in ids.values { #expect(try await cluster.store.queuedMessage(id: id)?.state == .sending) }

        // B's first recovery pass runs at start-up: start it once A's claims are past the recovery age.
        try await Task.sleep(for: .seconds(recoveryAge + 0.2))
        let b = try await offPool { try ServeProcess(environment: environmentB) }
        defer { b.kill(); b.wait() }
        let final: MessageState = resolution == .resend ? .sent : .failed
        let store = cluster.store
        let claimed = Array(ids.values)
        try await waitUntil("B resolves A's claims") {
            for id in claimed {
                if try await store.queuedMessage(id: id)?.state != final { return false }
            }
            return true
        }
        // Room for a duplicate call to show up before counting.
        try await Task.sleep(for: .milliseconds(300))
        let calls = standIn.calls
        let resent = Dictionary(grouping: calls.filter { $0.source == "b" }, by: \.to).mapValues(\.count)
        for (recipient, id) in ids {
            let row = try #require(try await store.queuedMessage(id: id))
            #expect(calls.filter { $0.source == "a" && $0.to == recipient }.count == 1)
            switch resolution {
            case .resend:
                // At least once: A's call may have reached SES; B sends it exactly once more.
                #expect(resent[recipient] == 1, "\(recipient) resent \(resent[recipient] ?? 0) times")
            case .fail:
                // At most once: A's call may have been accepted, so B never sends it.
                #expect(resent[recipient] == nil, "\(recipient) mailed again")
                #expect(row.error?.hasPrefix("outcome_unknown") == true, "\(row.error ?? "-")")
            }
        }
        // B goes on sending new mail.
        let fresh = try await cluster.post(port: b.port, to: "after@example.net")
        try await waitUntil("B sends new mail") { try await store.queuedMessage(id: fresh)?.state == .sent }
        #expect(standIn.calls.filter { $0.to == "after@example.net" }.map(\.source) == ["b"])
    }

    /// Polls `condition` every 20 ms (bounded: ~20 s).
    private func waitUntil(_ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
        for _ in 0..<1000 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("timed out waiting for \(what)")
    }
}

/// One fresh database, a store on it for assertions, a temporary home, and a client for /v1/messages.
struct SendCluster: Sendable {
    let url: String
    let store: PostgresStore
    let directory: URL
    let client: HTTPClient

    static func make() async throws -> SendCluster {
        let server = try await PostgresTestServer.shared()
        let url = try await server.createDatabase()
        let store = try await offPool { try PostgresStore(configuration: PostgresStoreConfiguration(url: url, poolSize: 2)) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-multi-send-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let client = try HTTPClient(configuration: HTTPClientConfiguration(
            connectTimeout: .seconds(2), readTimeout: .seconds(10), totalTimeout: .seconds(10), maxIdleConnectionsPerHost: 4))
        return SendCluster(url: url, store: store, directory: directory, client: client)
    }

    func remove() {
        store.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// `sluice serve` on this database, sending to `endpoint` with static keys.
    func environment(endpoint: String) -> [String: String] {
        [
            "SLUICE_DATABASE_URL": url, "SLUICE_DATABASE_POOL_SIZE": "4", "SLUICE_HTTP_PORT": "0", "SLUICE_LOG_FORMAT": "json",
            "SLUICE_DATABASE_PATH": directory.appendingPathComponent("unused/sluice.sqlite").path,
            "SLUICE_API_TOKENS": MultiInstanceSendTests.token, "SLUICE_SES_TRANSPORT": "ses", "SLUICE_SES_ENDPOINT": endpoint,
            "AWS_ACCESS_KEY_ID": "AKIDMULTISEND", "AWS_SECRET_ACCESS_KEY": "multi-send-secret", "AWS_EC2_METADATA_DISABLED": "true",
            "HOME": directory.path,
        ]
    }

    /// Posts a one-recipient message to the instance on `port`; returns its id.
    func post(port: Int, to recipient: String) async throws -> String {
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/json")
        headers.set("Authorization", "Bearer \(MultiInstanceSendTests.token)")
        let body = SendTestApp.message(to: [recipient])
        let response = try await client.execute(HTTPClientRequest(
            method: "POST", url: "http://127.0.0.1:\(port)/v1/messages", headers: headers, body: Array(body.utf8)))
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        guard response.status == 202, let id = json?["id"] as? String else {
            throw TestSupportError("POST /v1/messages answered \(response.status): \(response.bodyText)")
        }
        return id
    }
}

/// SES v2 stand-ins that stamp each SendEmail with its arrival time, recipient and stand-in (one stand-in per
/// instance tells which instance called). GetAccount reports `maxSendRate`. A `hang` stand-in answers
/// SendEmail only after `stop()` (bounded: 20 s), so its caller holds the message in `sending`.
final class TimedSESStandIn: Sendable {
    struct Call: Sendable {
        let at: Date
        let to: String
        /// The stand-in that received it.
        let source: String
    }

    private let servers = Mutex<[TestHTTPServer]>([])
    private let log = Mutex<[Call]>([])
    private let released = Atomic<Bool>(false)
    private let accounts = Atomic<Int>(0)
    let maxSendRate: Double
    let max24HourSend: Int
    /// Sent before the test (by anything on the account); GetAccount adds every SendEmail since.
    let sentBefore: Int

    init(maxSendRate: Double, max24HourSend: Int = 100_000, sentBefore: Int = 0) {
        self.maxSendRate = maxSendRate
        self.max24HourSend = max24HourSend
        self.sentBefore = sentBefore
    }

    var calls: [Call] { log.withLock { $0 } }
    /// GetAccount calls answered.
    var accountCalls: Int { accounts.load(ordering: .relaxed) }

    /// A new stand-in endpoint recording into this log as `label`.
    func endpoint(_ label: String, hang: Bool = false) throws -> String {
        let rate = maxSendRate
        let server = try TestHTTPServer { [self] request in
            if request.method == "GET" && request.path == "/v2/email/account" {
                let sent = sentBefore + log.withLock { $0.count }
                accounts.add(1, ordering: .relaxed)
                return .json(#"{"SendQuota":{"Max24HourSend":\#(max24HourSend),"MaxSendRate":\#(rate),"SentLast24Hours":\#(sent)},"SendingEnabled":true}"#)
            }
            guard request.method == "POST", request.path == "/v2/email/outbound-emails" else { return .json("{}", status: 404) }
            let json = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
            let to = ((json?["Destination"] as? [String: Any])?["ToAddresses"] as? [String])?.first ?? ""
            let n = log.withLock {
                $0.append(Call(at: Date(), to: to, source: label))
                return $0.count
            }
            if hang {
                for _ in 0..<2000 where !released.load(ordering: .relaxed) { usleep(10_000) }
                return .sesError("InternalFailure", status: 500, message: "stand-in stopped")
            }
            return .json(#"{"MessageId":"multi-\#(label)-\#(n)"}"#)
        }
        servers.withLock { $0.append(server) }
        return server.baseURL
    }

    func stop() {
        released.store(true, ordering: .relaxed)
        for server in servers.withLock({ $0 }) { server.stop() }
    }
}
