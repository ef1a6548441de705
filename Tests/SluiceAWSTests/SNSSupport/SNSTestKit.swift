import SluiceTestSupport
import Dispatch
import Foundation
import Logging
import SluiceAWS
import SluiceCore
import Synchronization

/// Shared set-up for the SNS tests: policy for a 127.0.0.1 server, signed messages, providers.
enum SNSTestKit {
    static let topicArn = "arn:aws:sns:us-east-1:123456789012:sluice-test"
    static let certURLPattern = #"^https://127\.0\.0\.1:[0-9]+/SimpleNotificationService-[a-zA-Z0-9]+\.pem$"#
    static let logger = Logger(label: "sluice.test.sns")

    /// Trusts certificate URLs on 127.0.0.1 and SubscribeURLs on this server only.
    static func policy(port: Int, requireV2: Bool = false, topics: [String] = [topicArn]) -> SNSSecurityPolicy {
        SNSSecurityPolicy(
            certURLPattern: certURLPattern, allowedTopicPatterns: topics, requireSignatureVersion2: requireV2,
            extraSubscribeHosts: ["127.0.0.1:\(port)"])
    }

    /// Trusts only the test CA; short timeout; no failure backoff unless asked.
    static func providerConfiguration(_ pki: SNSTestPKI, backoff: TimeInterval = 0) -> SigningCertificateProviderConfiguration {
        SigningCertificateProviderConfiguration(
            extraCAFile: pki.caFile, trustSystemStore: false, fetchTimeout: .seconds(1), failureBackoff: backoff)
    }

    /// A fresh, unique `SimpleNotificationService-<name>.pem` path (so parallel tests never share a URL).
    static func newCertPath() -> String {
        "/SimpleNotificationService-\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()).pem"
    }

    static func timestampString(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// A parsed message (through `SNSMessage.parse`) signed with `<key>.key`.
    static func signed(
        _ pki: SNSTestPKI, type: SNSMessageType = .notification, certURL: String, key: String = "sns",
        version: String = "2", topicArn: String = topicArn, message: String = #"{"eventType":"Bounce"}"#,
        subject: String? = "hello", subscribeURL: String? = nil, token: String? = nil, timestamp: Date = Date()
    ) throws -> SNSMessage {
        var fields: [String: String] = [
            "Type": type.rawValue, "MessageId": UUID().uuidString.lowercased(), "TopicArn": topicArn, "Message": message,
            "Timestamp": timestampString(timestamp), "SignatureVersion": version, "Signature": "AA==",
            "SigningCertURL": certURL,
        ]
        if type == .notification {
            fields["Subject"] = subject
        } else {
            fields["SubscribeURL"] = subscribeURL
            fields["Token"] = token
        }
        let body = try JSONSerialization.data(withJSONObject: fields)
        var parsed = try SNSMessage.parse(Array(body))
        parsed.signature = try pki.sign(parsed.canonicalString(), key: key, digest: version == "1" ? "sha1" : "sha256")
        return parsed
    }

    static func confirmationResponse(_ subscriptionArn: String) -> String {
        """
        <ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
          <ConfirmSubscriptionResult>
            <SubscriptionArn>\(subscriptionArn)</SubscriptionArn>
          </ConfirmSubscriptionResult>
          <ResponseMetadata>
            <RequestId>075ecce8-8dac-11e1-bf80-f781d96e9307</RequestId>
          </ResponseMetadata>
        </ConfirmSubscriptionResponse>
        """
    }
}

/// Path → reply table for `SNSTestServer`, changeable while the server runs; unknown paths get 404.
/// An optional gate holds every certificate reply until the test opens it.
final class SNSTestRoutes: Sendable {
    private let table = Mutex<[String: SNSTestServer.Reply]>([:])
    private let gate = Mutex<DispatchSemaphore?>(nil)

    func set(_ path: String, _ reply: SNSTestServer.Reply) { table.withLock { $0[path] = reply } }

    /// Serves `<name>.pem` from the PKI at `path`.
    func serveCertificate(_ path: String, _ pki: SNSTestPKI, name: String = "sns") throws {
        set(path, .response(try pki.pem(name)))
    }

    /// From now on replies wait (at most 10 s) until `openGate()`.
    func closeGate() { gate.withLock { $0 = DispatchSemaphore(value: 0) } }

    func openGate() {
        gate.withLock { semaphore in
            // Enough permits for every waiter any test creates.
            for _ in 0..<1000 { semaphore?.signal() }
        }
    }

    func reply(for request: SNSTestServer.Request) -> SNSTestServer.Reply {
        if let semaphore = gate.withLock({ $0 }) { _ = semaphore.wait(timeout: .now() + 10) }
        return table.withLock { $0[request.path] } ?? .response("not found", status: "404 Not Found")
    }

    /// A started server answering from a new table.
    static func start(_ pki: SNSTestPKI) throws -> (SNSTestServer, SNSTestRoutes) {
        let routes = SNSTestRoutes()
        let server = try SNSTestServer(pki: pki) { routes.reply(for: $0) }
        return (server, routes)
    }
}
