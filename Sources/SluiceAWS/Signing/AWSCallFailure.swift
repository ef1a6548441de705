import SluiceHTTP

/// A service client's error for a failed signed call: how `AWSSignedCaller` builds it and reads it back.
protocol AWSCallFailure: Error {
    associatedtype Code: CustomStringConvertible
    var code: Code { get }
    /// The service's error code, e.g. `ThrottlingException`, `SignatureDoesNotMatch`.
    var awsErrorType: String? { get }
    var message: String { get }
    /// The retry verdict for the debug log, as a metadata key below the service prefix and its value.
    var retryLogField: (name: String, value: String) { get }

    /// The credential provider could not supply keys (retryable).
    static func credentials(_ message: String, underlying: CredentialProviderError?) -> Self
    /// The request could not be signed: its URL cannot be split (permanent).
    static func unsignable(_ error: AWSRequestSignerError) -> Self
    /// No answer (connect failure, timeout, TLS, cancellation).
    static func fromTransport(_ error: any Error) -> Self
    /// A non-2xx answer.
    static func fromResponse(_ response: HTTPClientResponse) -> Self
}
