import Logging
import SluiceCore
import SluiceHTTP

/// Confirms an SNS subscription by visiting the `SubscribeURL` of a verified SubscriptionConfirmation
/// (AWS SNS guide, "Confirm the subscription"), after the policy allows it.
public struct SubscriptionConfirmer: Sendable {
    /// Decides which topics and SubscribeURLs may be confirmed.
    public let policy: SNSSecurityPolicy
    /// HTTPS trust, timeout and size settings.
    public let configuration: SubscriptionConfirmerConfiguration
    private let client: HTTPClient
    private let logger: Logger

    /// - Throws: `.invalidConfiguration` when the TLS trust settings cannot be loaded.
    public init(
        policy: SNSSecurityPolicy, configuration: SubscriptionConfirmerConfiguration = SubscriptionConfirmerConfiguration(),
        logger: Logger
    ) throws(SNSVerificationError) {
        do {
            client = try HTTPClient(configuration: HTTPClientConfiguration(
                extraCAFile: configuration.extraCAFile, trustSystemStore: configuration.trustSystemStore,
                connectTimeout: min(.seconds(5), configuration.timeout), readTimeout: configuration.timeout,
                totalTimeout: configuration.timeout, maxResponseBytes: configuration.maxResponseBytes,
                maxResponseHeadBytes: 16 * 1024, maxIdleConnectionsPerHost: 0, followRedirects: false))
        } catch {
            throw SNSVerificationError(.invalidConfiguration, "cannot build the HTTPS client: \(error.code)", underlying: error)
        }
        self.policy = policy
        self.configuration = configuration
        self.logger = logger
    }

    /// Visits `SubscribeURL` and returns the new SubscriptionArn.
    ///
    /// Call ONLY with a message whose signature `SNSSignatureVerifier` accepted: the URL and Token are
    /// trusted because they are signed.
    /// - Throws: `.confirmationNotAllowed` (type or topic), `.subscribeURLRejected` (nothing requested),
    ///   `.confirmationFailed` (`isTransient` for network errors, 5xx and 429).
    public func confirm(_ message: SNSMessage) async throws(SNSVerificationError) -> String {
        do {
            try policy.checkAutoConfirm(message)
        } catch {
            throw SNSVerificationError.from(error, default: .confirmationNotAllowed)
        }
        guard let url = message.subscribeURL else {
            throw SNSVerificationError(.subscribeURLRejected, "SubscribeURL is missing")
        }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(HTTPClientRequest(method: "GET", url: url, maxResponseBytes: configuration.maxResponseBytes))
        } catch let error as HTTPClientError {
            let transient = error.code != .invalidURL && error.code != .invalidRequest
            throw SNSVerificationError(
                .confirmationFailed, "visiting SubscribeURL failed (\(error.code))", isTransient: transient, underlying: error)
        } catch {
            throw SNSVerificationError(.confirmationFailed, "visiting SubscribeURL failed", isTransient: true, underlying: error)
        }
        guard response.status == 200 else {
            // 3xx lands here too: redirects are never followed.
            throw SNSVerificationError(
                .confirmationFailed, "SubscribeURL returned HTTP \(response.status)",
                isTransient: response.status >= 500 || response.status == 429, httpStatus: response.status)
        }
        let path = ["ConfirmSubscriptionResponse", "ConfirmSubscriptionResult", "SubscriptionArn"]
        guard let arn = SNSXMLText.first(path: path, in: response.body, limit: configuration.maxResponseBytes) else {
            throw SNSVerificationError(.confirmationFailed, "response has no ConfirmSubscriptionResult/SubscriptionArn", httpStatus: 200)
        }
        let subscriptionArn = arn.trimmingASCIIWhitespace()
        // A subscription ARN is the topic ARN plus ":<subscription id>".
        let suffix = subscriptionArn.dropFirst(message.topicArn.count + 1)
        guard subscriptionArn.hasPrefix(message.topicArn + ":"), !suffix.isEmpty, suffix.count <= 128,
            suffix.utf8.allSatisfy({ isIDCharacter($0) })
        else {
            throw SNSVerificationError(
                .confirmationFailed, "SubscriptionArn \(SNSMessageError.quote(subscriptionArn)) is not for the message's topic",
                httpStatus: 200)
        }
        logger.debug("confirmed SNS subscription", metadata: ["sns.topic_arn": "\(SNSMessageError.quote(message.topicArn))"])
        return subscriptionArn
    }

    private func isIDCharacter(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "-")
    }
}

extension String {
    fileprivate func trimmingASCIIWhitespace() -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
