import Foundation
import SluiceAWS
import SluiceCore

/// Everything the SNS endpoint needs from configuration, resolved once at start.
public struct SNSEndpointSettings: Sendable {
    /// Path of the default endpoint (`sns.path`); `<path>/{name}` serves named endpoints.
    public var path: String
    /// Route body limit (`sns.max_body_bytes`); larger bodies get 413 from the server.
    public var maxBodyBytes: Int
    /// Topic allow-list, signature version, age and URL rules.
    public var policy: SNSSecurityPolicy
    /// Trust, cache and fetch settings for signing certificates.
    public var certificates: SigningCertificateProviderConfiguration
    /// Trust and timeout settings for visiting SubscribeURLs.
    public var confirmer: SubscriptionConfirmerConfiguration
    /// Visit SubscribeURL on a verified SubscriptionConfirmation (`sns.auto_confirm`).
    public var autoConfirm: Bool
    /// `user:password` for HTTP Basic auth; nil when `sns.basic_auth_user` is empty.
    public var basicAuth: SNSBasicAuth?
    /// zlib level for the archived raw body, used by the background `AuditCopyCompressor` (1 = fastest;
    /// the archive is for audit, not space).
    public var archiveCompressionLevel: Int32

    public init(
        path: String = "/sns", maxBodyBytes: Int = 262_144, policy: SNSSecurityPolicy = SNSSecurityPolicy(),
        certificates: SigningCertificateProviderConfiguration = SigningCertificateProviderConfiguration(),
        confirmer: SubscriptionConfirmerConfiguration = SubscriptionConfirmerConfiguration(), autoConfirm: Bool = true,
        basicAuth: SNSBasicAuth? = nil, archiveCompressionLevel: Int32 = 1
    ) {
        self.path = path
        self.maxBodyBytes = maxBodyBytes
        self.policy = policy
        self.certificates = certificates
        self.confirmer = confirmer
        self.autoConfirm = autoConfirm
        self.basicAuth = basicAuth
        self.archiveCompressionLevel = archiveCompressionLevel
    }

    /// Reads the `sns.*` keys.
    public init(configuration c: SluiceConfiguration) {
        let caFile = c.string("sns.ca_file")
        let policy = SNSSecurityPolicy(
            certURLPattern: c.string("sns.cert_url_pattern"), allowedTopicPatterns: c.strings("sns.topic_arns"),
            requireSignatureVersion2: c.bool("sns.require_signature_v2"),
            maxAge: TimeInterval(c.int("sns.max_age_seconds")),
            maxFutureSkew: TimeInterval(c.int("sns.max_future_skew_seconds")))
        let user = c.string("sns.basic_auth_user")
        self.init(
            path: c.string("sns.path"), maxBodyBytes: c.int("sns.max_body_bytes"), policy: policy,
            certificates: SigningCertificateProviderConfiguration(
                extraCAFile: caFile.isEmpty ? nil : caFile,
                cacheTTL: TimeInterval(c.int("sns.certificate_cache_seconds"))),
            confirmer: SubscriptionConfirmerConfiguration(extraCAFile: caFile.isEmpty ? nil : caFile),
            autoConfirm: c.bool("sns.auto_confirm"),
            basicAuth: user.isEmpty ? nil : SNSBasicAuth(user: user, password: c.string("sns.basic_auth_password")))
    }
}
