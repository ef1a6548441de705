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
    /// The certificate is not cached and this client may not start a fetch now (503; `CertificateFetchAdmission`).
    case certFetchHeld = "cert_fetch_held"
    case draining
    case confirmFailed = "confirm_failed"
    /// A confirmation delivered again while its first delivery is still being handled (503).
    case inProgress = "in_progress"

    /// Whether the message was taken (2xx) rather than refused.
    var isAccepted: Bool { self == .stored || self == .duplicate || self == .confirmed }
}
