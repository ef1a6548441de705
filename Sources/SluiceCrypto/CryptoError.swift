/// An error from SluiceCrypto: hashing, X.509, zlib or TLS. Compare on `code`.
public struct CryptoError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as an extensible set of codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case invalidInput, invalidCertificate, invalidKey, unsupportedAlgorithm, digestFailed
            case randomFailed, compressionFailed, decompressionFailed, outputTooLarge
            case tlsConfiguration, tlsHandshakeFailed, certificateUntrusted, certificateExpired
            case hostnameMismatch, timeout, connectionClosed, io, cancelled
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        public static let invalidInput = Code(.invalidInput)
        public static let invalidCertificate = Code(.invalidCertificate)
        public static let invalidKey = Code(.invalidKey)
        public static let unsupportedAlgorithm = Code(.unsupportedAlgorithm)
        public static let digestFailed = Code(.digestFailed)
        public static let randomFailed = Code(.randomFailed)
        public static let compressionFailed = Code(.compressionFailed)
        public static let decompressionFailed = Code(.decompressionFailed)
        /// Decompressed output would exceed the caller's bound.
        public static let outputTooLarge = Code(.outputTooLarge)
        /// A TLS context could not be built (bad CA file, certificate or key).
        public static let tlsConfiguration = Code(.tlsConfiguration)
        public static let tlsHandshakeFailed = Code(.tlsHandshakeFailed)
        /// The peer's chain does not lead to a trusted root.
        public static let certificateUntrusted = Code(.certificateUntrusted)
        /// A certificate in the peer's chain is expired or not yet valid.
        public static let certificateExpired = Code(.certificateExpired)
        /// The peer's certificate does not name the host we asked for.
        public static let hostnameMismatch = Code(.hostnameMismatch)
        public static let timeout = Code(.timeout)
        /// The peer closed the connection (mid-handshake or mid-write).
        public static let connectionClosed = Code(.connectionClosed)
        /// A socket or TLS record-layer failure.
        public static let io = Code(.io)
        public static let cancelled = Code(.cancelled)

        public var description: String { value.rawValue }
    }

    public let code: Code
    public let message: String
    /// The OpenSSL error queue at the time of failure, oldest first (`ERR_error_string_n` text).
    public let openSSLErrors: [String]
    public let underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, openSSLErrors: [String] = [], underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.openSSLErrors = openSSLErrors
        self.underlying = underlying
    }

    public var description: String {
        var text = "CryptoError(\(code)): \(message)"
        if !openSSLErrors.isEmpty { text += " [" + openSSLErrors.joined(separator: "; ") + "]" }
        return text
    }
}
