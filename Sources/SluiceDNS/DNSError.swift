/// An error from the DNS client or codec. Compare on `code` only.
public struct DNSError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case malformed, invalidName, timeout, serverFailure, refused, network, configuration, cancelled
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// A message could not be parsed: truncated, bad pointer, length past the end.
        public static let malformed = Code(.malformed)
        /// A domain name is not valid (empty label, label > 63 bytes, name > 255 bytes, non-ASCII).
        public static let invalidName = Code(.invalidName)
        /// No server answered within the configured timeouts: temporary.
        public static let timeout = Code(.timeout)
        /// A server answered SERVFAIL (or another failure rcode): temporary.
        public static let serverFailure = Code(.serverFailure)
        /// A server answered REFUSED or NOTIMP.
        public static let refused = Code(.refused)
        /// A socket call failed (no route, connection refused...): temporary.
        public static let network = Code(.network)
        /// The resolver configuration is unusable (no servers, bad `host:port`).
        public static let configuration = Code(.configuration)
        /// The calling task was cancelled between queries.
        public static let cancelled = Code(.cancelled)
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

    /// Whether asking again later may give an answer (timeouts, SERVFAIL, REFUSED, network errors,
    /// cancellation): a check that hit one is reported as an error, never as pass or fail.
    public var isTemporary: Bool {
        code == .timeout || code == .serverFailure || code == .network || code == .refused || code == .cancelled
    }

    public var description: String { "dns error (\(code)): \(message)" }
}
