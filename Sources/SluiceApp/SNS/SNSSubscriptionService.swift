import Foundation
import Logging
import SluiceAWS
import SluiceCore
import SluiceStore

/// Confirms SNS subscriptions (automatically from the endpoint, or later from `sluice sns confirm`)
/// and lists what the store recorded about them.
public struct SNSSubscriptionService: Sendable {
    public let settings: SNSEndpointSettings
    let store: any AppStore
    let logger: Logger
    let now: @Sendable () -> Date

    public init(settings: SNSEndpointSettings, store: any AppStore, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.store = store
        self.logger = logger
        self.now = now
    }

    /// Every recorded subscription, ordered by topic ARN.
    public func subscriptions() async throws(SNSSubscriptionError) -> [SNSSubscriptionRecord] {
        do {
            return try await store.subscriptions()
        } catch {
            throw SNSSubscriptionError(.store, "cannot read subscriptions: \(error.code)", underlying: error)
        }
    }

    /// Visits the recorded SubscribeURL of `topicArn` (after the same checks as auto-confirmation) and
    /// records the subscription `confirmed`, or `confirm_failed` when the visit fails.
    /// - Parameter endpoint: which endpoint's record (`default`, or NAME of `/sns/NAME`); needed only when
    ///   the topic has records for several.
    public func confirm(topicArn: String, endpoint: String? = nil) async throws(SNSSubscriptionError) -> SNSSubscriptionRecord {
        let found: [SNSSubscriptionRecord]
        do {
            found = try await store.subscriptions(topicArn: topicArn).filter { endpoint == nil || $0.endpoint == endpoint }
        } catch {
            throw SNSSubscriptionError(.store, "cannot read the subscription: \(error.code)", underlying: error)
        }
        guard found.count <= 1 else {
            let names = found.map(\.endpoint).joined(separator: ", ")
            throw SNSSubscriptionError(.ambiguous, "\(SNSMessageError.quote(topicArn)) has records for several endpoints (\(names)): name one with --endpoint")
        }
        guard var record = found.first else {
            let at = endpoint.map { " at endpoint \(SNSMessageError.quote($0))" } ?? ""
            throw SNSSubscriptionError(.notFound, "no SubscriptionConfirmation recorded for \(SNSMessageError.quote(topicArn))\(at)")
        }
        guard let url = record.subscribeURL, let token = record.token else {
            throw SNSSubscriptionError(.noSubscribeURL, "the record of \(SNSMessageError.quote(topicArn)) has no SubscribeURL")
        }
        // Only the fields the policy and the confirmer read; the message was verified when recorded.
        let message = SNSMessage(
            type: .subscriptionConfirmation, messageId: "", topicArn: record.topicArn, message: "", timestamp: now(),
            timestampString: "", signatureVersion: "2", signature: [], signingCertURL: "", subscribeURL: url, token: token)
        do {
            record.subscriptionArn = try await confirm(message)
            record.state = .confirmed
        } catch {
            let refused = error.code == .confirmationNotAllowed || error.code == .subscribeURLRejected
            if refused { throw SNSSubscriptionError(.notAllowed, error.message, underlying: error) }
            record.state = .confirmFailed
            record.updatedAt = now()
            try? await store.recordSubscription(record)
            throw SNSSubscriptionError(.confirmationFailed, error.message, underlying: error)
        }
        record.updatedAt = now()
        do {
            try await store.recordSubscription(record)
        } catch {
            throw SNSSubscriptionError(.store, "confirmed, but cannot record it: \(error.code)", underlying: error)
        }
        logger.notice("SNS subscription confirmed", metadata: [
            "sns.topic_arn": "\(SNSMessageError.quote(record.topicArn))", "sns.endpoint": "\(record.endpoint)",
        ])
        return record
    }

    /// Visits `SubscribeURL` of a verified SubscriptionConfirmation; returns the SubscriptionArn.
    func confirm(_ message: SNSMessage) async throws(SNSVerificationError) -> String {
        let policy = Self.policy(settings.policy, forSubscribeURL: message.subscribeURL ?? "")
        let confirmer = try SubscriptionConfirmer(policy: policy, configuration: settings.confirmer, logger: logger)
        return try await confirmer.confirm(message)
    }

    /// Checks `SubscribeURL` as `confirm` would, without visiting it.
    func checkSubscribeURL(_ message: SNSMessage) throws(SNSMessageError) {
        let policy = Self.policy(settings.policy, forSubscribeURL: message.subscribeURL ?? "")
        try policy.checkAutoConfirm(message)
    }

    /// With a custom `cert_url_pattern` (tests, SNS-compatible services), a SubscribeURL may use a
    /// non-AWS host only if a signing-certificate URL on that same host would match the pattern: the
    /// operator has already declared that host an SNS origin. AWS hosts keep the strict region rule.
    static func policy(_ base: SNSSecurityPolicy, forSubscribeURL url: String) -> SNSSecurityPolicy {
        guard base.certURLPattern != SNSSecurityPolicy.defaultCertURLPattern, url.hasPrefix("https://") else { return base }
        let rest = url.dropFirst("https://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let allowed = authority.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x3A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x2E
        }
        guard !authority.isEmpty, allowed, !authority.contains("amazonaws"),
            let pattern = try? Regex(base.certURLPattern),
            (try? pattern.wholeMatch(in: "https://\(authority)/SimpleNotificationService-0.pem")) != nil
        else { return base }
        var policy = base
        policy.extraSubscribeHosts.append(String(authority))
        return policy
    }
}
