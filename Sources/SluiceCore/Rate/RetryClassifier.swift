import Foundation

/// Classifies SES v2 (`x-amzn-ErrorType` + status) and v1 (XML `Code` + `Message`) failures.
///
/// Tables: aws-reference §3.5/§3.6; botocore `retries/standard.py` throttle codes.
public enum RetryClassifier {
    /// Error codes botocore treats as throttling.
    public static let throttleCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "RequestThrottled", "SlowDown",
        "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    /// Transient non-throttle codes.
    public static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalFailure", "InternalError", "ServiceUnavailable",
        "ServiceUnavailableException", "InternalServerError",
    ]
    /// Codes meaning the account or configuration set may not send at all.
    public static let pauseCodes: Set<String> = [
        "AccountSuspendedException", "SendingPausedException", "AccountSendingPausedException",
        "ConfigurationSetSendingPausedException",
    ]
    /// Codes meaning the signing keys were refused (expired session, unknown or rotated key): the caller drops
    /// its cached keys and retries (IMDS, container and STS keys rotate; a refused key is not the message's fault).
    public static let credentialCodes: Set<String> = [
        "ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException", "InvalidClientTokenId",
        "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSignatureException", "AuthFailure",
    ]
    /// Codes meaning the request's time is too far from the service's (clock skew); aws-sdk-java's list.
    public static let clockSkewCodes: Set<String> = ["RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"]

    /// - Parameters:
    ///   - status: HTTP status, nil when no response arrived (network error, timeout).
    ///   - errorType: `x-amzn-ErrorType` (suffixes after `:` and prefixes before `#` are ignored) or v1 `Code`.
    ///   - message: the error message; needed to tell v1 daily quota from rate throttling.
    public static func classify(status: Int?, errorType: String?, message: String? = nil) -> RetryDecision {
        guard let status else { return .retryable }
        let code = errorType.map(normalize) ?? ""
        let text = message?.lowercased() ?? ""
        // v1 returns Code=Throttling for both limits; only the message tells them apart.
        if text.contains("daily message quota exceeded") { return .dailyQuotaExceeded }
        if code == "ConfigurationSetSendingPausedException" { return .denied }  // only the message's configuration set
        if pauseCodes.contains(code) { return .pauseSending }
        if throttleCodes.contains(code) || status == 429 { return .throttled }
        // Refused keys and skewed clocks heal (new keys, the service's clock); the message is not at fault.
        if credentialCodes.contains(code) || clockSkewCodes.contains(code) { return .retryable }
        // Not allowed (IAM policy, SCP, other auth refusals), for the account or only for this message's identity:
        // hold every message, alert.
        if code.hasPrefix("AccessDenied") || status == 401 || status == 403 { return .denied }
        if code == "LimitExceededException" { return .permanent }  // resource-count limit: retrying won't help
        if transientCodes.contains(code) || (500...599).contains(status) { return .retryable }
        return .permanent
    }

    /// True when an SES answer says the request's clock is off: a skew code, or `InvalidSignatureException`
    /// "Signature expired" / "Signature not yet current".
    public static func isClockSkew(errorType: String?, message: String?) -> Bool {
        let code = errorType.map(normalize) ?? ""
        if clockSkewCodes.contains(code) { return true }
        guard code == "InvalidSignatureException" || code == "SignatureDoesNotMatch" else { return false }
        let text = message?.lowercased() ?? ""
        return text.contains("signature expired") || text.contains("signature not yet current")
    }

    /// True when an SES answer refused the signing keys themselves (see `credentialCodes`).
    public static func isCredentialRefusal(errorType: String?) -> Bool {
        credentialCodes.contains(errorType.map(normalize) ?? "")
    }

    /// `prefix#Name:detail` → `Name`, trimmed.
    static func normalize(_ raw: String) -> String {
        var s = Substring(raw)
        if let colon = s.firstIndex(of: ":") { s = s[..<colon] }
        if let hash = s.lastIndex(of: "#") { s = s[s.index(after: hash)...] }
        return s.trimmingCharacters(in: .whitespaces)
    }
}
