import SluiceTestSupport
import Foundation
import Glibc
import SluiceCore
import SluiceHTTP
import SluiceStore
import Synchronization
import Testing
@testable import SluiceApp

/// 200 means committed and synced: store failures answer 503 with nothing half-written, and a
/// SIGKILLed server loses no acknowledged message.
@Suite(.serialized)
struct SNSDurabilityTests {
    @Test func lockedDatabaseAnswers503AndWritesNothing() async throws {
        try await withFixture(try await SNSAppHarness.make(extra: ["SLUICE_DATABASE_BUSY_TIMEOUT_MS": "100"])) { harness in
            let envelope = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: SESPayload.bounce("locked@example.com"))

            // Another process holds the write lock: our commit cannot happen.
            let locker = Process()
            locker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            locker.arguments = ["python3", "-c", """
                import sqlite3, sys
                c = sqlite3.connect(sys.argv[1], isolation_level=None)
                c.execute("BEGIN IMMEDIATE")
                print("locked", flush=True)
                sys.stdin.read()
                """, harness.databasePath]
            let input = Pipe(), output = Pipe()
            locker.standardInput = input
            locker.standardOutput = output
            try launchTiedToTestProcess(locker)
            let reader = output.fileHandleForReading
            let line = await offPool { String(decoding: reader.availableDataUntil("locked"), as: UTF8.self) }
            try #require(line.contains("locked"))

            let refused = try await harness.post(envelope)
            #expect(refused.status == 503, "\(refused.bodyText)")
            #expect(refused.headers["Retry-After"] != nil)
            #expect(refused.bodyText.contains("store_unavailable"))
            #expect(try await !harness.context.store.hasMessage(id: envelope.messageId))
            #expect(try await harness.context.store.suppression(for: "locked@example.com", scope: nil, at: Date()) == nil)
            #expect(harness.messagesCounted(type: "Notification", verdict: "store_unavailable") == 1)

            try input.fileHandleForWriting.close()
            #expect(await offPool { waitForExit(locker, until: .now + .seconds(30)) }, "the locking process did not exit")
            // SNS's retry of the same message now succeeds.
            let retried = try await harness.post(envelope)
            #expect(retried.status == 200, "\(retried.bodyText)")
            #expect(try await harness.context.store.suppression(for: "locked@example.com", scope: nil, at: Date())?.reason == .hardBounce)
        }
    }

    @Test func fullDatabaseAnswers503AndWritesNothing() async throws {
        try await withFixture(try await SNSAppHarness.make(extraPages: 12)) { harness in
            // ~160 KB that zlib cannot shrink, inside an otherwise normal bounce.
            let noise = (0..<120_000).map { _ in UInt8.random(in: 0...255) }
            var payload = SESPayload.bounce("full@example.com")
            payload.insert(contentsOf: #""padding":"\#(Data(noise).base64EncodedString())","#, at: payload.index(after: payload.startIndex))
            let big = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: payload)
            let refused = try await harness.post(big)
            #expect(refused.status == 503, "\(refused.bodyText)")
            #expect(try await !harness.context.store.hasMessage(id: big.messageId))
            #expect(try await harness.context.store.suppression(for: "full@example.com", scope: nil, at: Date()) == nil)
            #expect(try await harness.context.store.history(address: "full@example.com", limit: 10).isEmpty)

            let small = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: SESPayload.bounce("fits@example.com"))
            let accepted = try await harness.post(small)
            #expect(accepted.status == 200, "\(accepted.bodyText)")
            #expect(try await harness.context.store.hasMessage(id: small.messageId))
        }
    }

    @Test func sigkillLosesNoAcknowledgedMessage() async throws {
        let pki = try await SNSTestPKI.load()
        let (certServer, certRoutes) = try SNSTestRoutes.start(pki)
        defer { certServer.stop() }
        let certPath = "/SimpleNotificationService-killtest.pem"
        try certRoutes.serveCertificate(certPath, pki)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-sns-kill-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = [
            "SLUICE_DATABASE_PATH": directory + "/sluice.sqlite", "SLUICE_HTTP_PORT": "0",
            "SLUICE_SNS_TOPIC_ARNS": SNSEnvelope.topicArn, "SLUICE_SNS_CA_FILE": pki.caFile,
            "SLUICE_SNS_CERT_URL_PATTERN": SNSAppHarness.certURLPattern, "SLUICE_LOG_FORMAT": "json",
        ]

        let count = 300
        let envelopes = try await SNSEnvelope.signedBounces(pki, certURL: certServer.origin + certPath, count: count) { "user\($0)@example.com" }

        let first = try await offPool { try ServeProcess(environment: environment) }
        let client = try HTTPClient(configuration: HTTPClientConfiguration(
            connectTimeout: .seconds(2), readTimeout: .seconds(5), totalTimeout: .seconds(5), maxIdleConnectionsPerHost: 8))
        let run = KillRun()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while true {
                        let i = run.next.add(1, ordering: .relaxed).oldValue
                        guard i < count else { return }
                        let envelope = envelopes[i]
                        let request = HTTPClientRequest(
                            method: "POST", url: "http://127.0.0.1:\(first.port)/sns", headers: HTTPHeaders(envelope.headers), body: envelope.body)
                        guard let response = try? await client.execute(request) else { continue }
                        if response.status == 200 {
                            let total = run.acknowledged.withLock { $0.append(envelope.messageId); return $0.count }
                            // Mid-stream: other requests are in flight when the process dies.
                            if total == count / 3, !run.killed.exchange(true, ordering: .relaxed) { first.kill() }
                        }
                    }
                }
            }
        }
        // Unconditionally: when fewer than count / 3 were acknowledged, nothing has killed it yet.
        first.kill()
        first.wait()
        let ids = run.acknowledged.withLock { $0 }
        #expect(ids.count >= count / 3)
        #expect(ids.count < count, "the kill came too late to interrupt anything")

        // Restarted on the same file: every acknowledged message is there, and is a duplicate to SNS.
        let second = try await offPool { try ServeProcess(environment: environment) }
        defer { second.kill(); second.wait() }
        let replay = try #require(envelopes.first { $0.messageId == ids.first })
        let again = try await client.execute(HTTPClientRequest(
            method: "POST", url: "http://127.0.0.1:\(second.port)/sns", headers: HTTPHeaders(replay.headers), body: replay.body))
        #expect(again.bodyText == #"{"status":"duplicate"}"#)
        let store = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: directory + "/sluice.sqlite"))
        defer { store.close() }
        var missing: [String] = []
        for id in ids where try await !store.hasMessage(id: id) { missing.append(id) }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.count)")
        // Each audit copy is complete in whichever form the kill left it (raw, or compressed by the worker).
        let bodies = Dictionary(uniqueKeysWithValues: envelopes.map { ($0.messageId, $0.body) })
        var unreadable: [String] = []
        for id in ids where try await AuditCopyReader.body(of: id, in: store) != bodies[id] { unreadable.append(id) }
        #expect(unreadable.isEmpty, "audit copies not equal to the body sent: \(unreadable.count)")
    }
}
