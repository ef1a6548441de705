import SluiceTestSupport
import Foundation
import SluiceCore
import Testing
@testable import SluiceApp

/// The archived AWS messages of Tests/Fixtures/sns through the real HTTP endpoint, with the clock at
/// each message's time and its (real, long expired) AWS certificate pre-seeded in the store's cache.
@Suite(.serialized)
struct SNSFixtureTests {
    struct Entry: Decodable {
        var file: String
        var type: String
        var timestamp: String
        var topicArn: String
        var signingCertURL: String
        var certFile: String
        var expectedResult: String
    }

    struct Manifest: Decodable { var messages: [Entry] }

    static let directory = SNSTestPaths.fixtures.appendingPathComponent("sns")

    static func manifest() throws -> [Entry] {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json"))).messages
    }

    static func seed(_ harness: SNSAppHarness, _ entries: [Entry]) async throws {
        for entry in entries {
            let pem = try Data(contentsOf: directory.appendingPathComponent(entry.certFile))
            try await harness.context.store.storeCertificate(url: entry.signingCertURL, pem: Array(pem), expiresAt: .distantFuture)
        }
    }

    static func timestamp(_ text: String) throws -> Date {
        try #require(AWSTimestamp.parseISO8601(text))
    }

    @Test func everyFixtureIsStoredOrRefusedAsTheManifestSays() async throws {
        let entries = try Self.manifest()
        #expect(entries.count >= 20)
        let topics = Set(entries.map(\.topicArn)).sorted().joined(separator: ",")
        // AWS's 2012 certificate has a 1024-bit key: admitted here only, see the next test for the default.
        let harness = try await SNSAppHarness.make(
            extra: ["SLUICE_SNS_TOPIC_ARNS": topics, "SLUICE_SNS_CERT_URL_PATTERN": SNSSecurityPolicy.defaultCertURLPattern,
                    "SLUICE_SNS_AUTO_CONFIRM": "false", "SLUICE_SNS_CA_FILE": ""],
            settings: { $0.certificates.minimumRSAKeyBits = 1024 })
        try await withFixture(harness) { harness in
            try await Self.seed(harness, entries)

            for entry in entries {
                let body = try Data(contentsOf: Self.directory.appendingPathComponent(entry.file))
                harness.clock.set(try Self.timestamp(entry.timestamp).addingTimeInterval(1))
                let response = try await harness.post(Array(body), headers: [("x-amz-sns-message-type", entry.type)])
                let message = try SNSMessage.parse(Array(body))
                if entry.expectedResult == "valid" {
                    #expect(response.status == 200, "\(entry.file): \(response.bodyText)")
                    if entry.type == "SubscriptionConfirmation" {
                        let record = try await harness.context.store.subscription(topicArn: entry.topicArn)
                        #expect(record?.state == .pending, "\(entry.file)")
                    } else {
                        #expect(try await harness.context.store.hasMessage(id: message.messageId), "\(entry.file)")
                    }
                } else {
                    #expect(response.status == 403, "\(entry.file): \(response.bodyText)")
                    #expect(response.bodyText.contains("bad_signature"), "\(entry.file): \(response.bodyText)")
                }
            }
            // The SES complaint fixture (mailbox simulator) suppressed its recipient.
            let complaint = try await harness.context.store.suppression(for: "complaint@simulator.amazonses.com", scope: nil, at: harness.clock.now)
            #expect(complaint?.reason == .complaint)
        }
    }

    @Test func defaultSettingsRefuseTheWeak1024BitCertificate() async throws {
        let entry = try #require(try Self.manifest().first { $0.file.hasPrefix("genuine/01-") })
        try await withFixture(try await SNSAppHarness.make(extra: ["SLUICE_SNS_TOPIC_ARNS": entry.topicArn])) { harness in
            // SigningCertURL is not signed: point it at the local server, which serves AWS's 2012 certificate.
            harness.certRoutes.set("/SimpleNotificationService-aws2012.pem", .response(Array(try Data(contentsOf: Self.directory.appendingPathComponent(entry.certFile)))))
            let body = try Data(contentsOf: Self.directory.appendingPathComponent(entry.file))
            var object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            object["SigningCertURL"] = harness.certServer.origin + "/SimpleNotificationService-aws2012.pem"
            harness.clock.set(try Self.timestamp(entry.timestamp).addingTimeInterval(1))
            let response = try await harness.post(Array(try JSONSerialization.data(withJSONObject: object)))
            #expect(response.status == 403)
            #expect(response.bodyText.contains("certificate_rejected"), "\(response.bodyText)")
            #expect(harness.certServer.count(path: "/SimpleNotificationService-aws2012.pem") == 1)
        }
    }

    /// The AWS documentation's examples carry placeholder signatures ("EXAMPLE…"): never accepted.
    @Test func documentationExamplesAreRefused() async throws {
        try await withFixture(try await SNSAppHarness.make(extra: ["SLUICE_SNS_TOPIC_ARNS": "arn:aws:sns:us-west-2:123456789012:*"])) { harness in
            let folder = Self.directory.appendingPathComponent("docs-examples")
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".http") }.sorted()
            #expect(files.count == 4)
            for file in files {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                let parts = text.components(separatedBy: "\n\n")
                let headers = parts[0].split(separator: "\n").dropFirst().compactMap { line -> (String, String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    let name = String(line[..<colon])
                    guard name.lowercased().hasPrefix("x-amz-sns-") || name == "Content-Type" else { return nil }
                    return (name, line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                let body = parts.dropFirst().joined(separator: "\n\n")
                let response = try await harness.post(Array(body.utf8), headers: headers)
                #expect((400..<500).contains(response.status), "\(file): \(response.status) \(response.bodyText)")
            }
            #expect(harness.certServer.requests.isEmpty)
            #expect(harness.messagesCounted(type: "Notification", verdict: "stored") == 0)
        }
    }
}
