import Foundation
import SluiceCore
import SluiceHTTP
import SluiceStore
import SluiceTestSupport
import Synchronization
import Testing

/// kill -9 of `sluice serve` under mixed load (SNS ingestion, sends, imports), then a restart on the same file:
/// everything acknowledged is there, the database is intact, no recipient is mailed twice and the queue resumes.
@Suite(.serialized) struct MixedLoadKillTests {
    static let token = "mixed-load-kill-token-0123456789"

    /// What the clients were told, per kind of request.
    final class Acknowledged: Sendable {
        let notifications = Mutex<[String]>([])
        let messages = Mutex<[(id: String, recipient: String)]>([])
        let imports = Mutex<[[String]]>([])
        let total = Atomic<Int>(0)
        let killed = Atomic<Bool>(false)
    }

    @Test func sigkillUnderMixedLoadLosesNothingAndSendsNothingTwice() async throws {
        let pki = try await SNSTestPKI.load()
        let (certServer, certRoutes) = try SNSTestRoutes.start(pki)
        defer { certServer.stop() }
        let certPath = "/SimpleNotificationService-mixedkill.pem"
        try certRoutes.serveCertificate(certPath, pki)
        // Slow enough that calls are in flight when the process dies.
        let ses = try SESStandIn(maxSendRate: 40)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let databasePath = directory.appendingPathComponent("sluice.sqlite").path
        let environment = SendTestApp.staticKeys.merging([
            "SLUICE_DATABASE_PATH": databasePath, "SLUICE_API_TOKENS": Self.token,
            "SLUICE_SNS_TOPIC_ARNS": SNSEnvelope.topicArn, "SLUICE_SNS_CA_FILE": pki.caFile,
            "SLUICE_SNS_CERT_URL_PATTERN": SNSAppHarness.certURLPattern,
            "SLUICE_SES_ENDPOINT": ses.endpoint, "SLUICE_SES_TRANSPORT": "ses", "SLUICE_SES_REQUEST_TIMEOUT_SECONDS": "1",
            "SLUICE_SES_INFLIGHT_RESOLUTION": "fail",
        ]) { a, _ in a }

        let notificationCount = 120, messageCount = 120, importCount = 12, rowsPerImport = 100
        let signed = try await SNSEnvelope.signedBounces(pki, certURL: certServer.origin + certPath, count: notificationCount) { "bounced\($0)@example.com" }

        let first = try await SluiceProcess.serve(environment: environment, directory: directory)
        let client = try HTTPClient(configuration: HTTPClientConfiguration(
            connectTimeout: .seconds(2), readTimeout: .seconds(5), totalTimeout: .seconds(5), maxIdleConnectionsPerHost: 8))
        let acknowledged = Acknowledged()
        let killAfter = (notificationCount + messageCount + importCount) / 3
        /// Counts one acknowledgement and kills the server once a third of all requests got one.
        @Sendable func acknowledge() {
            if acknowledged.total.add(1, ordering: .relaxed).newValue == killAfter, !acknowledged.killed.exchange(true, ordering: .relaxed) {
                first.kill(SIGKILL)
            }
        }
        let base = "http://127.0.0.1:\(first.port)"
        let auth = [("Authorization", "Bearer \(Self.token)")]

        await withTaskGroup(of: Void.self) { group in
            for lane in 0..<3 {
                group.addTask {
                    for i in stride(from: lane, to: notificationCount, by: 3) {
                        let envelope = signed[i]
                        let request = HTTPClientRequest(method: "POST", url: base + "/sns", headers: HTTPHeaders(envelope.headers), body: envelope.body)
                        guard let response = try? await client.execute(request), response.status == 200 else { continue }
                        acknowledged.notifications.withLock { $0.append(envelope.messageId) }
                        acknowledge()
                    }
                }
            }
            for lane in 0..<3 {
                group.addTask {
                    for i in stride(from: lane, to: messageCount, by: 3) {
                        let recipient = "kill-\(i)@example.net"
                        let body = SendTestApp.message(from: "news@mixed.example", to: [recipient])
                        let request = HTTPClientRequest(
                            method: "POST", url: base + "/v1/messages",
                            headers: HTTPHeaders(auth + [("Content-Type", "application/json"), ("Idempotency-Key", "kill-\(i)")]),
                            body: Array(body.utf8))
                        guard let response = try? await client.execute(request), response.status == 202,
                            let document = try? JSONDocument(response.body), let object = try? document.rootObject(),
                            let id = try? document.string(object, "id")
                        else { continue }
                        acknowledged.messages.withLock { $0.append((id, recipient)) }
                        acknowledge()
                    }
                }
            }
            group.addTask {
                for batch in 0..<importCount {
                    let addresses = (0..<rowsPerImport).map { "imported-\(batch)-\($0)@example.org" }
                    let csv = "address,reason\r\n" + addresses.map { "\($0),manual\r\n" }.joined()
                    let request = HTTPClientRequest(
                        method: "POST", url: base + "/v1/suppressions/import", headers: HTTPHeaders(auth + [("Content-Type", "text/csv")]),
                        body: Array(csv.utf8))
                    guard let response = try? await client.execute(request), response.status == 200 else { continue }
                    acknowledged.imports.withLock { $0.append(addresses) }
                    acknowledge()
                }
            }
        }
        let killed = acknowledged.killed.load(ordering: .relaxed)
        #expect(killed, "the load ended before the kill")
        _ = await first.waitForExit(timeout: .seconds(10))
        let notifications = acknowledged.notifications.withLock { $0 }
        let messages = acknowledged.messages.withLock { $0 }
        let imports = acknowledged.imports.withLock { $0 }
        #expect(notifications.count + messages.count + imports.count < notificationCount + messageCount + importCount,
                "the kill came too late to interrupt anything")

        // Restart on the same file: the queue resumes and in-flight calls are resolved (failed, never resent).
        let second = try await SluiceProcess.serve(environment: environment, directory: directory)
        defer { second.kill(SIGKILL) }
        let store = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: databasePath))
        defer { store.close() }
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        var pending = messages.count
        while ContinuousClock.now < deadline {
            pending = 0
            for (id, _) in messages {
                let state = try await store.queuedMessage(id: id)?.state
                if state == .queued || state == .sending { pending += 1 }
            }
            if pending == 0 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(pending == 0, "\(pending) acknowledged messages never left the queue after the restart")

        var lost: [String] = []
        for id in notifications where try await !store.hasMessage(id: id) { lost.append("sns \(id)") }
        var failed = 0
        for (id, _) in messages {
            guard let row = try await store.queuedMessage(id: id) else { lost.append("message \(id)"); continue }
            #expect(row.state == .sent || row.state == .failed, "\(id) ended \(row.state)")
            if row.state == .failed { failed += 1 }
        }
        for address in imports.joined() where try await store.suppression(for: address, scope: nil, at: Date()) == nil {
            lost.append("import \(address)")
        }
        #expect(lost.isEmpty, "acknowledged but lost: \(lost.prefix(10)) (\(lost.count) in all)")
        // Only calls in flight at the kill may end failed: at most the worker's concurrency (32).
        #expect(failed <= 32, "\(failed) of \(messages.count) failed")
        #expect(try await store.integrityCheck(quick: false) == [])

        // At most once per recipient: `fail` resolution never repeats a call that may have reached SES.
        let bodies = ses.sendRequests.map(\.bodyText)
        var twice: [String] = []
        for i in 0..<messageCount {
            let quoted = "\"kill-\(i)@example.net\""
            if bodies.filter({ $0.contains(quoted) }).count > 1 { twice.append(quoted) }
        }
        #expect(twice.isEmpty, "mailed more than once: \(twice)")
    }
}
