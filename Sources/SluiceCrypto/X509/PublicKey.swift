import COpenSSL

/// A public key (owns an `EVP_PKEY`), used to check signatures.
// Invariant for @unchecked Sendable: the key is never mutated after init, and OpenSSL 3 guards the
// EVP_PKEY's internal caches with its own lock, so concurrent verifications are safe.
public final class PublicKey: @unchecked Sendable {
    private let key: OpaquePointer

    /// Takes ownership of `key` (one reference).
    init(taking key: OpaquePointer) { self.key = key }

    deinit { EVP_PKEY_free(key) }

    /// True for RSA keys.
    public var isRSA: Bool { EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA }

    /// Key size in bits.
    public var bits: Int { Int(EVP_PKEY_get_bits(key)) }

    /// Checks `signature` over `data`; false for a wrong signature, a wrong key type or any error.
    public func verify(signature: some Collection<UInt8>, data: some Collection<UInt8>, algorithm: SignatureAlgorithm) -> Bool {
        // Both supported algorithms are RSA; refuse other key types instead of letting OpenSSL guess.
        guard isRSA, !signature.isEmpty else { return false }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer {
            EVP_MD_CTX_free(context)
            // A bad signature leaves entries on the thread's queue; don't let them leak into later calls.
            ERR_clear_error()
        }
        // RSA defaults to PKCS#1 v1.5 padding, which is what both algorithms name.
        guard EVP_DigestVerifyInit(context, nil, algorithm.messageDigest, nil, key) == 1 else { return false }
        let status = withBytes(signature) { sig in
            withBytes(data) { tbs in
                EVP_DigestVerify(
                    context, sig.baseAddress?.assumingMemoryBound(to: UInt8.self), sig.count,
                    tbs.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1), tbs.count)
            }
        }
        return status == 1
    }
}
