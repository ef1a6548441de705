import COpenSSL

/// Signature schemes `PublicKey.verify` accepts.
public enum SignatureAlgorithm: Sendable, Hashable {
    /// RSA PKCS#1 v1.5 with SHA-1 (SNS SignatureVersion 1).
    case rsaSHA1
    /// RSA PKCS#1 v1.5 with SHA-256 (SNS SignatureVersion 2).
    case rsaSHA256

    var messageDigest: OpaquePointer? {
        switch self {
        case .rsaSHA1: EVP_sha1()
        case .rsaSHA256: EVP_sha256()
        }
    }
}
