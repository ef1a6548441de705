import SluiceCore

/// A credential provider could not produce credentials. Compare on `code`; messages never hold secrets.
public struct CredentialProviderError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case noCredentials, misconfigured, fileUnreadable, network, httpStatus, invalidResponse, rejected
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// No link of the chain is configured or reachable.
        public static let noCredentials = Code(.noCredentials)
        /// An environment variable or profile setting is invalid (partial keys, bad URI, CR/LF in a token).
        public static let misconfigured = Code(.misconfigured)
        /// A token or shared file could not be read.
        public static let fileUnreadable = Code(.fileUnreadable)
        /// The endpoint could not be reached or timed out.
        public static let network = Code(.network)
        /// The endpoint answered with a non-2xx status.
        public static let httpStatus = Code(.httpStatus)
        /// The answer could not be parsed or lacked fields.
        public static let invalidResponse = Code(.invalidResponse)
        /// The service refused (STS `InvalidIdentityToken`, IMDS `Code` != Success, ...).
        public static let rejected = Code(.rejected)
        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String
    /// The HTTP status, for `.httpStatus`.
    public var httpStatus: Int?
    /// The provider's own error code (STS `Error/Code`), when there is one.
    public var serviceCode: String?
    public var underlying: (any Error & Sendable)?

    public init(
        _ code: Code, _ message: String, httpStatus: Int? = nil, serviceCode: String? = nil,
        underlying: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.serviceCode = serviceCode
        self.underlying = underlying
    }

    /// Wraps a parsing failure from SluiceCore.
    init(_ error: CredentialsError, source: String) {
        switch error.code {
        case .serviceError:
            self.init(.rejected, "\(source): \(error.message)", serviceCode: error.serviceCode, underlying: error)
        case .partialCredentials:
            self.init(.misconfigured, "\(source): \(error.message)", underlying: error)
        default:
            self.init(.invalidResponse, "\(source): \(error.message)", underlying: error)
        }
    }

    public var description: String { "credential provider error (\(code)): \(message)" }
}
