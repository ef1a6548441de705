import SluiceTestSupport
import Foundation
import SluiceAWS
import SluiceCore
import Testing

/// `SNSSignatureVerifier` on AWS's archived messages and on messages signed by a test PKI at run time.
struct SNSSignatureVerifierTests {
    // MARK: Genuine AWS fixtures (certificates long expired: dates skipped, store pre-seeded, no network)

    struct Fixture: Sendable, CustomTestStringConvertible {
        let file: String
        var testDescription: String { file }
    }

    static func fixtures(in folder: String) -> [Fixture] {
        let directory = SNSTestPaths.fixtures.appendingPathComponent("sns/\(folder)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { Fixture(file: "\(folder)/\($0)") }
    }

    static let genuine = fixtures(in: "genuine") + fixtures(in: "genuine-lambda-format")
    static let negative = fixtures(in: "negative")

    static func load(_ fixture: Fixture) throws -> SNSMessage {
        try SNSMessage.parse(Array(try Data(contentsOf: SNSTestPaths.fixtures.appendingPathComponent("sns/\(fixture.file)"))))
    }

    static func fixtureCertificate(_ url: String) throws -> [UInt8] {
        let name = try #require(url.split(separator: "/").last)
        return Array(try Data(contentsOf: SNSTestPaths.fixtures.appendingPathComponent("sns/certs/\(name)")))
    }

    /// A verifier with the production policy whose store already holds `pem` for `url`.
    static func fixtureVerifier(url: String, pem: [UInt8]) throws -> SNSSignatureVerifier {
        let store = InMemorySigningCertificateStore(entries: [url: (pem, Date.distantFuture)])
        // One 2010 fixture certificate has a 1024-bit key; production requires 2048.
        let configuration = SigningCertificateProviderConfiguration(fetchTimeout: .milliseconds(1), minimumRSAKeyBits: 1024)
        let policy = SNSSecurityPolicy()
        let provider = try SigningCertificateProvider(configuration: configuration, policy: policy, store: store, logger: SNSTestKit.logger)
        return SNSSignatureVerifier(policy: policy, certificates: provider, checksCertificateDates: false)
    }

    @Test func fixturesArePresent() {
        #expect(Self.genuine.count == 25)
        #expect(Self.negative.count == 2)
    }

    @Test(arguments: genuine)
    func genuineMessageVerifies(_ fixture: Fixture) async throws {
        let message = try Self.load(fixture)
        let verifier = try Self.fixtureVerifier(url: message.signingCertURL, pem: try Self.fixtureCertificate(message.signingCertURL))
        try await verifier.verify(message)
    }

    @Test(arguments: negative)
    func tamperedFixtureFails(_ fixture: Fixture) async throws {
        let message = try Self.load(fixture)
        let verifier = try Self.fixtureVerifier(url: message.signingCertURL, pem: try Self.fixtureCertificate(message.signingCertURL))
        let error = await #expect(throws: SNSVerificationError.self) { try await verifier.verify(message) }
        #expect(error?.code == .signatureInvalid)
    }

    @Test func genuineMessageWithAnotherCertificateFails() async throws {
        let message = try Self.load(Fixture(file: "genuine/14-notification-sv2-nosubject-2022-us-east-2.json"))
        let other = try Self.fixtureCertificate("https://x/SimpleNotificationService-433026a4050d206028891664da859041.pem")
        let verifier = try Self.fixtureVerifier(url: message.signingCertURL, pem: other)
        let error = await #expect(throws: SNSVerificationError.self) { try await verifier.verify(message) }
        #expect(error?.code == .signatureInvalid)
    }

    @Test func genuineMessageDateCheckUsesMessageTimestamp() async throws {
        // Signed 2022-07-28 with a certificate valid 2021-09-07 … 2022-08-17: fine at its Timestamp.
        var message = try Self.load(Fixture(file: "genuine/14-notification-sv2-nosubject-2022-us-east-2.json"))
        let pem = try Self.fixtureCertificate(message.signingCertURL)
        let skipping = try Self.fixtureVerifier(url: message.signingCertURL, pem: pem)
        let verifier = SNSSignatureVerifier(policy: skipping.policy, certificates: skipping.certificates)
        try await verifier.verify(message)
        message.timestamp = Date(timeIntervalSince1970: 1_672_531_200)  // 2023-01-01
        let error = await #expect(throws: SNSVerificationError.self) { try await verifier.verify(message) }
        #expect(error?.code == .certificateExpired)
    }

    // MARK: Generated PKI over a real HTTPS server

    /// A verifier for `server` (test CA trusted, no failure backoff).
    static func verifier(
        _ pki: SNSTestPKI, _ server: SNSTestServer, requireV2: Bool = false
    ) throws -> SNSSignatureVerifier {
        let policy = SNSTestKit.policy(port: server.port, requireV2: requireV2)
        let provider = try SigningCertificateProvider(
            configuration: SNSTestKit.providerConfiguration(pki), policy: policy, logger: SNSTestKit.logger)
        return SNSSignatureVerifier(policy: policy, certificates: provider)
    }

    static func code(_ verifier: SNSSignatureVerifier, _ message: SNSMessage) async -> SNSVerificationError.Code? {
        do {
            try await verifier.verify(message)
            return nil
        } catch {
            return error.code
        }
    }

    @Test(arguments: ["1", "2"])
    func signedMessageVerifies(version: String) async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        try routes.serveCertificate(path, pki)
        let verifier = try Self.verifier(pki, server)
        let notification = try SNSTestKit.signed(pki, certURL: server.origin + path, version: version)
        try await verifier.verify(notification)
        let noSubject = try SNSTestKit.signed(pki, certURL: server.origin + path, version: version, subject: nil)
        try await verifier.verify(noSubject)
        let confirmation = try SNSTestKit.signed(
            pki, type: .subscriptionConfirmation, certURL: server.origin + path, version: version,
            subscribeURL: "\(server.origin)/?Action=ConfirmSubscription&TopicArn=x&Token=t", token: "t")
        try await verifier.verify(confirmation)
        #expect(server.count(path: path) == 1)
    }

    @Test func tamperedFieldsFail() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        try routes.serveCertificate(path, pki)
        let verifier = try Self.verifier(pki, server)
        let original = try SNSTestKit.signed(pki, certURL: server.origin + path)
        #expect(await Self.code(verifier, original) == nil)

        var message = original
        message.message += " "
        #expect(await Self.code(verifier, message) == .signatureInvalid)
        message = original
        message.subject = "hello!"
        #expect(await Self.code(verifier, message) == .signatureInvalid)
        message = original
        message.subject = nil
        #expect(await Self.code(verifier, message) == .signatureInvalid)
        message = original
        message.topicArn = "arn:aws:sns:us-east-1:123456789012:other-topic"
        #expect(await Self.code(verifier, message) == .signatureInvalid)
        message = original
        message.type = .unsubscribeConfirmation
        #expect(await Self.code(verifier, message) == .signatureInvalid)
        message = original
        message.signature[message.signature.count / 2] ^= 0x01
        #expect(await Self.code(verifier, message) == .signatureInvalid)
        message = original
        message.signatureVersion = "1"  // SHA-256 signature checked as SHA-1
        #expect(await Self.code(verifier, message) == .signatureInvalid)
    }

    @Test func unknownSignatureVersionIsRejectedBeforeFetching() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        try routes.serveCertificate(path, pki)
        var message = try SNSTestKit.signed(pki, certURL: server.origin + path)
        message.signatureVersion = "3"
        #expect(await Self.code(try Self.verifier(pki, server), message) == .unsupportedSignatureVersion)
        #expect(server.requests.isEmpty)
    }

    @Test func policyRequiringVersion2RejectsVersion1() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        try routes.serveCertificate(path, pki)
        let verifier = try Self.verifier(pki, server, requireV2: true)
        let v1 = try SNSTestKit.signed(pki, certURL: server.origin + path, version: "1")
        #expect(await Self.code(verifier, v1) == .unsupportedSignatureVersion)
        #expect(server.requests.isEmpty)
        let v2 = try SNSTestKit.signed(pki, certURL: server.origin + path, version: "2")
        #expect(await Self.code(verifier, v2) == nil)
    }

    @Test func certificateMustBeValidAtMessageTimestamp() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        try routes.serveCertificate(path, pki, name: "sns-expired")  // valid 2019-01-01 … 2020-01-01
        let verifier = try Self.verifier(pki, server)
        let now = try SNSTestKit.signed(pki, certURL: server.origin + path, key: "sns-expired")
        #expect(await Self.code(verifier, now) == .certificateExpired)
        let before = try SNSTestKit.signed(
            pki, certURL: server.origin + path, key: "sns-expired", timestamp: Date(timeIntervalSince1970: 1_500_000_000))
        #expect(await Self.code(verifier, before) == .certificateNotYetValid)
        let during = try SNSTestKit.signed(
            pki, certURL: server.origin + path, key: "sns-expired", timestamp: Date(timeIntervalSince1970: 1_560_000_000))
        #expect(await Self.code(verifier, during) == nil)
    }

    @Test func certificateWithWrongNameIsRejected() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        try routes.serveCertificate(path, pki, name: "sns-wrongname")
        let message = try SNSTestKit.signed(pki, certURL: server.origin + path, key: "sns-wrongname")
        #expect(await Self.code(try Self.verifier(pki, server), message) == .certificateNameMismatch)
    }

    @Test func regionalSigningNameMustMatchTopicRegion() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        try routes.serveCertificate(path, pki, name: "sns-regional")  // sns-signing.us-east-1.amazonaws.com
        let verifier = try Self.verifier(pki, server)
        let east = try SNSTestKit.signed(pki, certURL: server.origin + path, key: "sns-regional")
        #expect(await Self.code(verifier, east) == nil)
        let west = try SNSTestKit.signed(
            pki, certURL: server.origin + path, key: "sns-regional", topicArn: "arn:aws:sns:eu-west-1:123456789012:sluice-test")
        #expect(await Self.code(verifier, west) == .certificateNameMismatch)
    }

    @Test func signatureFromAnotherKeyFails() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        try routes.serveCertificate(path, pki, name: "sns")
        let message = try SNSTestKit.signed(pki, certURL: server.origin + path, key: "sns-other")
        #expect(await Self.code(try Self.verifier(pki, server), message) == .signatureInvalid)
    }

    @Test func certificateURLOutsidePolicyIsNeverFetched() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        try routes.serveCertificate(path, pki)
        let verifier = try Self.verifier(pki, server)
        for url in [
            "http://127.0.0.1:\(server.port)\(path)",
            "https://localhost:\(server.port)\(path)",
            "https://user@127.0.0.1:\(server.port)\(path)",
            "https://127.0.0.1:\(server.port)\(path)?x=1",
            "https://127.0.0.1:\(server.port)/other.pem",
            "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-abc.pem",
        ] {
            var message = try SNSTestKit.signed(pki, certURL: server.origin + path)
            message.signingCertURL = url
            #expect(await Self.code(verifier, message) == .certificateURLRejected, "\(url)")
        }
        #expect(server.requests.isEmpty)
    }
}
