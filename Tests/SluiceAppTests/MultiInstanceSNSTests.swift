import Foundation
import SluiceCore
import SluiceHTTP
import SluicePostgres
import SluiceTestSupport
import Synchronization
import Testing

/// Two `sluice serve` processes on one PostgreSQL database, as behind a load balancer.
@Suite(.serialized)
struct MultiInstanceSNSTests {
    @Test func duplicatesSpreadOverTwoInstancesAreProcessedOnce() async throws {
        let server = try await PostgresTestServer.shared()
        let url = try await server.createDatabase()
        let pki = try await SNSTestPKI.load()
        let (certServer, certRoutes) = try SNSTestRoutes.start(pki)
        defer { certServer.stop() }
        let certPath = "/SimpleNotificationService-multi.pem"
        try certRoutes.serveCertificate(certPath, pki)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-multi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = [
            "SLUICE_DATABASE_URL": url, "SLUICE_DATABASE_POOL_SIZE": "4", "SLUICE_HTTP_PORT": "0",
            "SLUICE_SNS_TOPIC_ARNS": SNSEnvelope.topicArn, "SLUICE_SNS_CA_FILE": pki.caFile,
            "SLUICE_SNS_CERT_URL_PATTERN": SNSAppHarness.certURLPattern, "SLUICE_LOG_FORMAT": "json",
        ]
        // Never used: proves the instances do not fall back to a local SQLite file.
        environment["SLUICE_DATABASE_PATH"] = directory.appendingPathComponent("unused/sluice.sqlite").path

        let count = 40
        var signed: [SNSEnvelope] = []
        for start in stride(from: 0, to: count, by: 4) {
            try await withThrowingTaskGroup(of: SNSEnvelope.self) { group in
                for i in start..<min(start + 4, count) {
                    // Every fourth message bounces the same address: concurrent events for one address.
                    let address = i % 4 == 0 ? "shared@example.com" : "user\(i)@example.com"
                    group.addTask { try await SNSEnvelope.signed(pki, certURL: certServer.origin + certPath, message: SESPayload.bounce(address)) }
                }
                for try await envelope in group { signed.append(envelope) }
            }
        }
        let envelopes = signed
        let environmentCopy = environment
        let one = try await offPool { try ServeProcess(environment: environmentCopy) }
        defer { one.kill(); one.wait() }
        let two = try await offPool { try ServeProcess(environment: environmentCopy) }
        defer { two.kill(); two.wait() }

        let client = try HTTPClient(configuration: HTTPClientConfiguration(
            connectTimeout: .seconds(2), readTimeout: .seconds(10), totalTimeout: .seconds(10), maxIdleConnectionsPerHost: 8))
        // Each message goes to both instances at once (SNS retrying on another node), so both race on the MessageId.
        let bodies = try await withThrowingTaskGroup(of: (String, String).self) { group in
            for envelope in envelopes {
                for port in [one.port, two.port] {
                    group.addTask {
                        let response = try await client.execute(HTTPClientRequest(
                            method: "POST", url: "http://127.0.0.1:\(port)/sns", headers: HTTPHeaders(envelope.headers), body: envelope.body))
                        return (envelope.messageId, "\(response.status) \(response.bodyText)")
                    }
                }
            }
            return try await group.reduce(into: [String: [String]]()) { $0[$1.0, default: []].append($1.1) }
        }
        #expect(bodies.count == count)
        for (id, answers) in bodies {
            #expect(answers.count == 2)
            #expect(answers.filter { $0 == #"200 {"status":"duplicate"}"# }.count == 1, "\(id): \(answers)")
            #expect(answers.allSatisfy { $0.hasPrefix("200 ") }, "\(id): \(answers)")
        }

        let store = try await offPool { try PostgresStore(configuration: PostgresStoreConfiguration(url: url, poolSize: 1)) }
        defer { store.close() }
        for envelope in envelopes { #expect(try await store.hasMessage(id: envelope.messageId)) }
        #expect(try await store.history(address: "shared@example.com", limit: 100).count == count / 4)
        #expect(try await store.history(address: "user1@example.com", limit: 100).count == 1)
        #expect(try await store.suppression(for: "shared@example.com", scope: nil, at: Date())?.count == count / 4)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("unused").path))
    }
}
