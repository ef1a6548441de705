/// What the endpoint did with one request: the `verdict` label of `sluice_sns_messages_total` and of
/// the `sns.verdict` log field. Raw values are metrics contracts.
enum SNSVerdict: String, Sendable, CaseIterable {
    case stored, duplicate, confirmed
    case forbiddenTopic = "forbidden_topic"
    case badSignature = "bad_signature"
    case badCertificateURL = "bad_certificate_url"
    case stale, malformed, unauthorized
    case rawRefused = "raw_refused"
    case storeUnavailable = "store_unavailable"
    case certFetchFailed = "cert_fetch_failed"
    case draining
    case confirmFailed = "confirm_failed"

    /// Whether the message was taken (2xx) rather than refused.
    var isAccepted: Bool { self == .stored || self == .duplicate || self == .confirmed }
}

/// The `type` label: the three SNS types, or `unknown` before a body could be read.
enum SNSTypeLabel: String, Sendable, CaseIterable {
    case notification = "Notification"
    case subscriptionConfirmation = "SubscriptionConfirmation"
    case unsubscribeConfirmation = "UnsubscribeConfirmation"
    case unknown

    /// Only the three known values map; anything an attacker puts in a header is `unknown`.
    init(_ text: String?) {
        self = text.flatMap(SNSTypeLabel.init(rawValue:)) ?? .unknown
    }
}
