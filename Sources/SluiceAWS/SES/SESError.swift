import SluiceCore

/// A failed SES call, already classified for the send worker. Compare on `code`.
///
/// `message` is the service's own text (bounded, control characters removed); SES sometimes names the
/// rejected address in it, so log it only at debug level.
public struct SESError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case service, network, credentials, invalidRequest, invalidResponse, cancelled
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// SES answered with an error status (`awsErrorType` says which).
        public static let service = Code(.service)
        /// No answer: connect failure, timeout, connection reset, TLS failure.
        public static let network = Code(.network)
        /// The credential provider could not supply keys.
        public static let credentials = Code(.credentials)
        /// The request could not be built (bad endpoint URL, unencodable field).
        public static let invalidRequest = Code(.invalidRequest)
        /// A 2xx answer that could not be parsed.
        public static let invalidResponse = Code(.invalidResponse)
        /// The calling task was cancelled.
        public static let cancelled = Code(.cancelled)
        public var description: String { value.rawValue }
    }

    public var code: Code
    /// The HTTP status when SES answered.
    public var httpStatus: Int?
    /// The SES error name, e.g. `MessageRejected`, `TooManyRequestsException`.
    public var awsErrorType: String?
    public var message: String
    /// What the caller should do (the client never retries by itself).
    public var retry: RetryDecision
    public var underlying: (any Error & Sendable)?

    public init(
        _ code: Code, _ message: String, httpStatus: Int? = nil, awsErrorType: String? = nil, retry: RetryDecision,
        underlying: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.awsErrorType = awsErrorType
        self.retry = retry
        self.underlying = underlying
    }

    public var description: String {
        var text = "SESError(\(code), retry: \(retry.rawValue)"
        if let httpStatus { text += ", status: \(httpStatus)" }
        if let awsErrorType { text += ", type: \(awsErrorType)" }
        return text + "): \(message)"
    }
}
