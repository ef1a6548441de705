/// An error from the HTTP server: start-up failures and closed connections seen by handlers.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: Sendable, Hashable {
            case bindFailed, invalidConfiguration, alreadyStarted, notStarted, connectionClosed, bodyTooLarge, bodyTimeout, malformedBody
        }
        private let value: Value
        public static let bindFailed = Code(value: .bindFailed)
        public static let invalidConfiguration = Code(value: .invalidConfiguration)
        public static let alreadyStarted = Code(value: .alreadyStarted)
        public static let notStarted = Code(value: .notStarted)
        /// The client went away (or the server closed the connection) mid-body.
        public static let connectionClosed = Code(value: .connectionClosed)
        public static let bodyTooLarge = Code(value: .bodyTooLarge)
        public static let bodyTimeout = Code(value: .bodyTimeout)
        public static let malformedBody = Code(value: .malformedBody)
        public var description: String { "\(value)" }
    }

    public let code: Code
    public let message: String
    /// The errno of a failed system call, if any.
    public let errno: Int32?

    public init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    public var description: String {
        errno.map { "\(code): \(message) (errno \($0))" } ?? "\(code): \(message)"
    }
}
