/// Why a message request was refused (answered 400). Compare on `code`.
public struct SendValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case invalidJSON = "invalid_json"
            case missingField = "missing_field"
            case invalidAddress = "invalid_address"
            case noRecipients = "no_recipients"
            case tooManyRecipients = "too_many_recipients"
            case tooLarge = "message_too_large"
            case invalidContent = "invalid_content"
            case invalidHeader = "invalid_header"
            case invalidTag = "invalid_tag"
            case invalidConfigurationSet = "invalid_configuration_set"
            case invalidRaw = "invalid_raw"
            case invalidIdempotencyKey = "invalid_idempotency_key"
            case invalidUnsubscribe = "invalid_unsubscribe"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        public static let invalidJSON = Code(.invalidJSON)
        public static let missingField = Code(.missingField)
        public static let invalidAddress = Code(.invalidAddress)
        public static let noRecipients = Code(.noRecipients)
        /// More than 50 recipients (SES's per-call limit).
        public static let tooManyRecipients = Code(.tooManyRecipients)
        /// Over SES's 40 MB message limit.
        public static let tooLarge = Code(.tooLarge)
        public static let invalidContent = Code(.invalidContent)
        public static let invalidHeader = Code(.invalidHeader)
        public static let invalidTag = Code(.invalidTag)
        public static let invalidConfigurationSet = Code(.invalidConfigurationSet)
        public static let invalidRaw = Code(.invalidRaw)
        public static let invalidIdempotencyKey = Code(.invalidIdempotencyKey)
        /// A bulk message that cannot carry one-click unsubscribe headers (several recipients, not configured, bad list).
        public static let invalidUnsubscribe = Code(.invalidUnsubscribe)
        /// The API error code string.
        public var description: String { value.rawValue }
    }

    public var code: Code
    /// The request field at fault (`to[2]`, `headers.X-Foo`), when one.
    public var field: String?
    public var message: String

    public init(_ code: Code, field: String? = nil, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public static func == (lhs: SendValidationError, rhs: SendValidationError) -> Bool { lhs.code == rhs.code }

    public var description: String { "invalid message (\(code)\(field.map { ", \($0)" } ?? "")): \(message)" }
}
