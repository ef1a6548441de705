/// Why the configuration cannot be used. The CLI maps every one to exit code 78.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        private enum Value: Hashable, Sendable { case unreadableFile, syntax, unknownKey, invalidValue }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        public static let unreadableFile = Code(.unreadableFile)
        public static let syntax = Code(.syntax)
        public static let unknownKey = Code(.unknownKey)
        public static let invalidValue = Code(.invalidValue)
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
