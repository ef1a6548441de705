import SluiceCore
import SluiceHTTP

extension SNSPublishError {
    /// Throttling codes: botocore's list plus SNS's own `Throttled` (429) and `KMSThrottling` (400).
    static let throttleCodes = RetryClassifier.throttleCodes.union(["Throttled", "KMSThrottling"])

    /// Builds the error for a non-2xx answer from the Query XML `ErrorResponse/Error/{Code,Message}`,
    /// else `x-amzn-ErrorType`.
    static func fromResponse(_ response: HTTPClientResponse) -> SNSPublishError {
        var type = SNSXMLText.first(path: ["ErrorResponse", "Error", "Code"], in: response.body)
        let message = SNSXMLText.first(path: ["ErrorResponse", "Error", "Message"], in: response.body)
        if type?.isEmpty ?? true { type = response.headers["x-amzn-ErrorType"] }
        type = type.map(SESError.normalizeType).flatMap { $0.isEmpty ? nil : $0 }
        return SNSPublishError(
            .service, SESError.sanitize(message ?? "HTTP \(response.status)"), httpStatus: response.status, awsErrorType: type,
            isRetryable: isRetryable(status: response.status, errorType: type))
    }

    /// Throttling, 5xx and transient codes retry; so do refused keys and skewed clocks, which the client
    /// repairs before the next call (new keys, SNS's clock). Everything else (`AuthorizationError`,
    /// `NotFound`, `InvalidParameter`, KMS refusals) is the request's fault.
    static func isRetryable(status: Int, errorType: String?) -> Bool {
        let code = errorType ?? ""
        if throttleCodes.contains(code) || status == 429 { return true }
        if RetryClassifier.isCredentialRefusal(errorType: code) || RetryClassifier.clockSkewCodes.contains(code) { return true }
        return RetryClassifier.transientCodes.contains(code) || (500...599).contains(status)
    }

    /// Maps a transport failure; only malformed requests are permanent.
    static func fromTransport(_ error: any Error) -> SNSPublishError {
        guard let error = error as? HTTPClientError else {
            return SNSPublishError(.network, "request failed", isRetryable: true)
        }
        switch error.code {
        case .invalidURL, .invalidRequest, .tlsConfiguration:
            return SNSPublishError(.invalidRequest, error.message, isRetryable: false, underlying: error)
        case .cancelled:
            return SNSPublishError(.cancelled, error.message, isRetryable: false, underlying: error)
        default:
            return SNSPublishError(.network, "\(error.code): \(error.message)", isRetryable: true, underlying: error)
        }
    }
}
