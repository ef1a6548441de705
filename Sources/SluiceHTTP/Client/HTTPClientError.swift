/// An outbound HTTP request failure. Compare on `code`.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as an extensible set of codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case invalidURL, invalidRequest, nameResolutionFailed, connectFailed, timeout
            case tlsConfiguration, tlsHandshakeFailed, certificateUntrusted, certificateExpired, hostnameMismatch
            case responseTooLarge, malformedResponse, connectionClosed, io, cancelled
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Not an absolute http(s) URL, or it carries userinfo, a bad host or port.
        public static let invalidURL = Code(.invalidURL)
        /// Bad method token or a header with CR/LF/NUL.
        public static let invalidRequest = Code(.invalidRequest)
        /// getaddrinfo found no address for the host.
        public static let nameResolutionFailed = Code(.nameResolutionFailed)
        /// No address accepted a TCP connection.
        public static let connectFailed = Code(.connectFailed)
        /// The connect, read or total deadline passed.
        public static let timeout = Code(.timeout)
        /// The extra CA file could not be loaded.
        public static let tlsConfiguration = Code(.tlsConfiguration)
        public static let tlsHandshakeFailed = Code(.tlsHandshakeFailed)
        /// The server's chain does not lead to a trusted root.
        public static let certificateUntrusted = Code(.certificateUntrusted)
        /// The server's certificate is expired or not yet valid.
        public static let certificateExpired = Code(.certificateExpired)
        /// The server's certificate does not name the requested host.
        public static let hostnameMismatch = Code(.hostnameMismatch)
        /// The response head or body exceeded its bound; the connection was dropped.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// The response violates HTTP/1.1 framing or syntax.
        public static let malformedResponse = Code(.malformedResponse)
        /// The server closed the connection before a complete response.
        public static let connectionClosed = Code(.connectionClosed)
        /// A socket-level failure.
        public static let io = Code(.io)
        /// The calling task was cancelled.
        public static let cancelled = Code(.cancelled)

        public var description: String { value.rawValue }
    }

    public let code: Code
    public let message: String
    public let underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// Message of a connect that did not complete before its deadline.
    static let connectTimeoutMessage = "timed out connecting"

    /// True when no connection was made (name lookup, refused/unreachable, or connect timeout): nothing answered.
    public var isConnectFailure: Bool {
        code == .nameResolutionFailed || code == .connectFailed || (code == .timeout && message == Self.connectTimeoutMessage)
    }

    public var description: String {
        var text = "HTTPClientError(\(code)): \(message)"
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
