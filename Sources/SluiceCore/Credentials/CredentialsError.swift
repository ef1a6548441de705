/// A failure reading or parsing AWS credentials. Compare on `code`; messages never contain secrets.
public struct CredentialsError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case malformed, partialCredentials, missingField, serviceError, expired
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// The file or payload cannot be parsed.
        public static let malformed = Code(.malformed)
        /// A profile has an access key id without a secret (or the reverse).
        public static let partialCredentials = Code(.partialCredentials)
        /// A payload lacks AccessKeyId, SecretAccessKey, or another required member.
        public static let missingField = Code(.missingField)
        /// The provider answered with an error (`serviceCode` says which, `isRetryable` whether to retry).
        public static let serviceError = Code(.serviceError)
        /// The credentials returned are already expired.
        public static let expired = Code(.expired)
        public var description: String { "\(value)" }
    }

    public var code: Code
    public var message: String
    /// The provider's error code (STS `Error/Code`, IMDS `Code`), when there is one.
    public var serviceCode: String?

    public init(_ code: Code, _ message: String, serviceCode: String? = nil) {
        self.code = code
        self.message = message
        self.serviceCode = serviceCode
    }

    /// STS codes worth retrying (botocore retries `IDPCommunicationError`; throttling is transient too).
    public var isRetryable: Bool {
        guard let serviceCode else { return false }
        return ["IDPCommunicationError", "Throttling", "ThrottlingException", "ServiceUnavailable", "InternalFailure"]
            .contains(serviceCode)
    }

    public var description: String { "credentials error (\(code)): \(message)" }
}
