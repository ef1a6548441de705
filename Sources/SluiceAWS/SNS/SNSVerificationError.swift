import SluiceCore

/// Why an SNS message could not be verified or its subscription confirmed. Compare on `code` only.
///
/// `message` never carries attacker input unescaped: URLs and texts go through `SNSMessageError.quote`.
public struct SNSVerificationError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as an extensible set of codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case certificateURLRejected, certificateFetchFailed, certificateFetchHeld, certificateInvalid, certificateNameMismatch
            case certificateExpired, certificateNotYetValid, signatureInvalid, unsupportedSignatureVersion
            case confirmationNotAllowed, confirmationFailed, subscribeURLRejected, invalidConfiguration
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// `SigningCertURL` fails the policy (scheme, host, region, pattern); nothing was fetched.
        public static let certificateURLRejected = Code(.certificateURLRejected)
        /// The certificate could not be obtained (network, timeout, non-200, oversize, not a PEM certificate,
        /// or a recent failure is still backing off). Transient (answer 503 so SNS retries), except when the
        /// host answered 403, 404 or 410: there is no such certificate, and `isTransient` is false.
        public static let certificateFetchFailed = Code(.certificateFetchFailed)
        /// The certificate is not cached and this client may not start a fetch now: it has its share of
        /// fetches running, or a URL it sent recently named no certificate (`CertificateFetchAdmission`).
        /// Transient: a genuine sender's retry gets through once the hold ends.
        public static let certificateFetchHeld = Code(.certificateFetchHeld)
        /// The certificate was fetched but is unusable (not RSA, key too small).
        public static let certificateInvalid = Code(.certificateInvalid)
        /// The certificate does not name an accepted SNS signing identity.
        public static let certificateNameMismatch = Code(.certificateNameMismatch)
        /// The certificate's notAfter lies before the message's `Timestamp`.
        public static let certificateExpired = Code(.certificateExpired)
        /// The certificate's notBefore lies after the message's `Timestamp`.
        public static let certificateNotYetValid = Code(.certificateNotYetValid)
        /// The RSA signature does not match the canonical string.
        public static let signatureInvalid = Code(.signatureInvalid)
        /// `SignatureVersion` is not 1 or 2, or is 1 while the policy requires 2.
        public static let unsupportedSignatureVersion = Code(.unsupportedSignatureVersion)
        /// The message is not a SubscriptionConfirmation or its topic is not allow-listed.
        public static let confirmationNotAllowed = Code(.confirmationNotAllowed)
        /// Visiting `SubscribeURL` failed or returned no SubscriptionArn (`isTransient` tells whether to retry).
        public static let confirmationFailed = Code(.confirmationFailed)
        /// `SubscribeURL` fails the policy; nothing was requested.
        public static let subscribeURLRejected = Code(.subscribeURLRejected)
        /// The verifier or confirmer configuration is unusable (e.g. the CA file cannot be loaded).
        public static let invalidConfiguration = Code(.invalidConfiguration)

        public var description: String { value.rawValue }
    }

    /// What went wrong; compare on this only.
    public var code: Code
    /// Human-readable detail, safe to log (untrusted text is quoted and truncated).
    public var message: String
    /// True when retrying later may succeed: the endpoint answers 5xx so SNS redelivers.
    public var isTransient: Bool
    /// HTTP status of the failed fetch or confirmation, when one was received.
    public var httpStatus: Int?
    /// The lower-level cause (policy, HTTP client or crypto error), for debugging.
    public var underlying: (any Error)?

    /// `isTransient` nil means the code's default: only `.certificateFetchFailed` and `.certificateFetchHeld`
    /// are transient.
    public init(_ code: Code, _ message: String, isTransient: Bool? = nil, httpStatus: Int? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.isTransient = isTransient ?? (code == .certificateFetchFailed || code == .certificateFetchHeld)
        self.httpStatus = httpStatus
        self.underlying = underlying
    }

    public var description: String { "SNS verification failed (\(code)): \(message)" }
}

extension SNSVerificationError {
    /// Maps a policy refusal to this domain, keeping the (already quoted) policy message.
    static func from(_ error: SNSMessageError, default code: Code) -> SNSVerificationError {
        let mapped: Code =
            switch error.code {
            case .unsupportedSignatureVersion: .unsupportedSignatureVersion
            case .certificateURLNotAllowed: .certificateURLRejected
            case .subscribeURLNotAllowed: .subscribeURLRejected
            case .topicNotAllowed, .unsupportedMessageType: .confirmationNotAllowed
            case .invalidConfiguration: .invalidConfiguration
            default: code
            }
        return SNSVerificationError(mapped, error.message, underlying: error)
    }
}
