/// Why an SNS message was refused. Compare on `code` only; `message` never carries raw input unescaped.
public struct SNSMessageError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case malformed, missingField, wrongFieldType, unsupportedMessageType, unsupportedSignatureVersion
            case certificateURLNotAllowed, topicNotAllowed, subscribeURLNotAllowed, stale, future
            case typeHeaderMismatch, headerMismatch, invalidConfiguration
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// The body is not a JSON object or a value cannot be decoded (base64, timestamp, ARN).
        public static let malformed = Code(.malformed)
        /// A field required for the message type is absent (`field` names it).
        public static let missingField = Code(.missingField)
        /// A field has a JSON type other than string (`field` names it).
        public static let wrongFieldType = Code(.wrongFieldType)
        /// `Type` is not Notification, SubscriptionConfirmation or UnsubscribeConfirmation.
        public static let unsupportedMessageType = Code(.unsupportedMessageType)
        /// `SignatureVersion` is not 1 or 2, or is 1 while version 2 is required.
        public static let unsupportedSignatureVersion = Code(.unsupportedSignatureVersion)
        public static let certificateURLNotAllowed = Code(.certificateURLNotAllowed)
        /// The topic is not on the allow-list for automatic confirmation.
        public static let topicNotAllowed = Code(.topicNotAllowed)
        public static let subscribeURLNotAllowed = Code(.subscribeURLNotAllowed)
        /// `Timestamp` is older than the policy's `maxAge`.
        public static let stale = Code(.stale)
        /// `Timestamp` is further in the future than the policy's `maxFutureSkew`.
        public static let future = Code(.future)
        /// The `x-amz-sns-message-type` header disagrees with the signed body.
        public static let typeHeaderMismatch = Code(.typeHeaderMismatch)
        /// `x-amz-sns-message-id` or `x-amz-sns-topic-arn` disagrees with the signed body.
        public static let headerMismatch = Code(.headerMismatch)
        /// The policy itself is unusable (e.g. the certificate URL pattern does not compile).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        public var description: String { "\(value)" }
    }

    public var code: Code
    public var message: String
    /// The JSON field concerned, when there is one.
    public var field: String?
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, field: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.underlying = underlying
    }

    public var description: String { "SNS message rejected (\(code)): \(message)" }

    /// Renders untrusted text for a log or error message: printable ASCII only, escaped, truncated.
    public static func quote(_ text: String, limit: Int = 80) -> String {
        var out = "\""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                out += "…"
                break
            }
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case " "..."~": out.unicodeScalars.append(scalar)
            default: out += "\\u{\(String(scalar.value, radix: 16))}"
            }
            count += 1
        }
        return out + "\""
    }
}
