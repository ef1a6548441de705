/// A token that cannot be issued or verified, or a bad key. Compare on `code`; messages never carry the token.
public struct UnsubscribeTokenError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable { case malformed, unknownKey, badSignature, expired, invalidKey, invalidInput }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// Not base64url, too short or long, or an unknown version.
        public static let malformed = Code(.malformed)
        /// Signed with a key id this service does not hold (retired or never configured).
        public static let unknownKey = Code(.unknownKey)
        /// The MAC does not match: tampered or forged.
        public static let badSignature = Code(.badSignature)
        /// Older than the configured maximum age.
        public static let expired = Code(.expired)
        /// A configured key is not `id:base64secret` with a 1-16 character id and ≥ 32 secret bytes.
        public static let invalidKey = Code(.invalidKey)
        /// The recipient or list cannot be put in a token (empty, too long, NUL).
        public static let invalidInput = Code(.invalidInput)
        public var description: String { value.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "UnsubscribeTokenError(\(code)): \(message)" }
}
