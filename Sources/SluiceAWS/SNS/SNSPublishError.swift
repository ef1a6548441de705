/// A failed SNS Query API call (`Publish`), classified for the caller's retry loop. Compare on `code`.
///
/// `message` is SNS's own text (bounded, control characters removed); the client never retries by itself.
public struct SNSPublishError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case service, network, credentials, invalidRequest, invalidResponse, cancelled
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// SNS answered with an error status (`awsErrorType` says which, e.g. `NotFound`).
        public static let service = Code(.service)
        /// No answer: connect failure, timeout, connection reset, TLS failure.
        public static let network = Code(.network)
        /// The credential provider could not supply keys.
        public static let credentials = Code(.credentials)
        /// The request could not be built (bad endpoint URL, empty message).
        public static let invalidRequest = Code(.invalidRequest)
        /// A 2xx answer without a `MessageId`.
        public static let invalidResponse = Code(.invalidResponse)
        /// The calling task was cancelled.
        public static let cancelled = Code(.cancelled)
        public var description: String { value.rawValue }
    }

    public var code: Code
    /// The HTTP status when SNS answered.
    public var httpStatus: Int?
    /// The Query API error `Code`, e.g. `NotFound`, `AuthorizationError`, `Throttled`.
    public var awsErrorType: String?
    public var message: String
    /// True for throttling, 5xx, network and credential trouble: the same call may succeed later. False when
    /// the request itself is refused (`AuthorizationError`, `NotFound`, `InvalidParameter`…).
    public var isRetryable: Bool
    public var underlying: (any Error & Sendable)?

    public init(
        _ code: Code, _ message: String, httpStatus: Int? = nil, awsErrorType: String? = nil, isRetryable: Bool,
        underlying: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.awsErrorType = awsErrorType
        self.isRetryable = isRetryable
        self.underlying = underlying
    }

    public var description: String {
        var text = "SNSPublishError(\(code), \(isRetryable ? "retryable" : "permanent")"
        if let httpStatus { text += ", status: \(httpStatus)" }
        if let awsErrorType { text += ", type: \(awsErrorType)" }
        return text + "): \(message)"
    }
}
