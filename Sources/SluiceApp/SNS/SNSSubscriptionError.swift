/// Why `sluice sns confirm` could not confirm a subscription. Compare on `code` only.
public struct SNSSubscriptionError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case notFound, ambiguous, noSubscribeURL, notAllowed, confirmationFailed, store
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// No SubscriptionConfirmation was recorded for the topic.
        public static let notFound = Code(.notFound)
        /// The topic has records for several endpoints and none was named.
        public static let ambiguous = Code(.ambiguous)
        /// The record has no SubscribeURL/Token (e.g. an UnsubscribeConfirmation replaced it).
        public static let noSubscribeURL = Code(.noSubscribeURL)
        /// The topic or SubscribeURL fails the current policy; nothing was requested.
        public static let notAllowed = Code(.notAllowed)
        /// Visiting SubscribeURL failed.
        public static let confirmationFailed = Code(.confirmationFailed)
        /// The database could not be read or written.
        public static let store = Code(.store)
        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }
}
