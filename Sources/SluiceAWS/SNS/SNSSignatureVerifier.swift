import Foundation
import SluiceCore
import SluiceCrypto

/// Verifies an SNS message's RSA signature with its signing certificate (AWS SNS guide,
/// "Verifying the signatures of Amazon SNS messages").
///
/// The endpoint checks the envelope itself (`SNSSecurityPolicy.checkEnvelope(_:now:)`, cheap checks
/// including the message age), takes the certificate from its memo or the provider, and calls the static
/// `verify(_:with:algorithm:checksCertificateDates:)`; `verify(_:)` does all of it for other callers.
public struct SNSSignatureVerifier: Sendable {
    /// Decides which signature versions are acceptable.
    public let policy: SNSSecurityPolicy
    /// Where signing certificates come from (cached, single-flight).
    public let certificates: SigningCertificateProvider
    /// False ONLY for tests of archived AWS fixtures, whose certificates have long expired.
    public let checksCertificateDates: Bool

    public init(policy: SNSSecurityPolicy, certificates: SigningCertificateProvider, checksCertificateDates: Bool = true) {
        self.policy = policy
        self.certificates = certificates
        self.checksCertificateDates = checksCertificateDates
    }

    /// Returns when `message` carries a valid signature from an accepted SNS certificate.
    /// - Throws: `.unsupportedSignatureVersion`, the provider's certificate errors, `.certificateExpired`,
    ///   `.certificateNotYetValid`, `.signatureInvalid`.
    public func verify(_ message: SNSMessage) async throws(SNSVerificationError) {
        let algorithm: SignatureAlgorithm
        do {
            try policy.checkSignatureVersion(message.signatureVersion)
            let scheme = try SNSMessage.signatureAlgorithm(forVersion: message.signatureVersion)
            algorithm = scheme == .rsaSHA256 ? .rsaSHA256 : .rsaSHA1
        } catch {
            throw SNSVerificationError.from(error, default: .unsupportedSignatureVersion)
        }
        let certificate = try await certificates.certificate(for: message.signingCertURL, topicArn: message.topicArn)
        try Self.verify(message, with: certificate, algorithm: algorithm, checksCertificateDates: checksCertificateDates)
    }

    /// The cryptographic part alone, for a certificate that already passed the URL policy and the
    /// provider's checks (the endpoint's memo of recent certificates skips the provider).
    /// - Throws: `.certificateNotYetValid`, `.certificateExpired`, `.signatureInvalid`.
    public static func verify(
        _ message: SNSMessage, with certificate: X509Certificate, algorithm: SignatureAlgorithm, checksCertificateDates: Bool = true
    ) throws(SNSVerificationError) {
        if checksCertificateDates {
            // The certificate must have been valid when SNS signed (Timestamp), not merely today.
            if message.timestamp < certificate.notBefore {
                throw SNSVerificationError(.certificateNotYetValid, "signing certificate is not yet valid at the message Timestamp")
            }
            if message.timestamp > certificate.notAfter {
                throw SNSVerificationError(.certificateExpired, "signing certificate had expired at the message Timestamp")
            }
        }
        guard certificate.verify(signature: message.signature, data: message.canonicalString(), algorithm: algorithm) else {
            throw SNSVerificationError(.signatureInvalid, "signature does not match the message")
        }
    }
}
