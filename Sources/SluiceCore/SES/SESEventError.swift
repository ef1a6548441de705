/// Why an SES notification could not be read. Compare on `code` only; messages carry no payload.
public struct SESEventError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case tooLarge, notJSON, missingType, missingMail, missingMessageId, invalidTimestamp
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// Over `SESEventParser.maxMessageBytes`.
        public static let tooLarge = Code(.tooLarge)
        /// Not a JSON object of the SES shape (or a known field has the wrong JSON type).
        public static let notJSON = Code(.notJSON)
        /// Neither `eventType` nor `notificationType` is present.
        public static let missingType = Code(.missingType)
        /// No `mail` object.
        public static let missingMail = Code(.missingMail)
        /// No `mail.messageId`.
        public static let missingMessageId = Code(.missingMessageId)
        /// No parsable timestamp in the event object or in `mail.timestamp`.
        public static let invalidTimestamp = Code(.invalidTimestamp)
        public var description: String { "\(value)" }
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { "SES event error (\(code)): \(message)" }
}
