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
        if pauseCodes.contains(code) { return .pauseSending }
        if throttleCodes.contains(code) || status == 429 { return .throttled }
        if code == "LimitExceededException" { return .permanent }  // resource-count limit: retrying won't help
        if transientCodes.contains(code) || (500...599).contains(status) { return .retryable }
        return .permanent
    }

    /// `prefix#Name:detail` → `Name`, trimmed.
    static func normalize(_ raw: String) -> String {
        var s = Substring(raw)
        if let colon = s.firstIndex(of: ":") { s = s[..<colon] }
        if let hash = s.lastIndex(of: "#") { s = s[s.index(after: hash)...] }
        return s.trimmingCharacters(in: .whitespaces)
    }
}
