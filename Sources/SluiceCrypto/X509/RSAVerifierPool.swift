import COpenSSL
import Synchronization

/// Reusable RSA verification contexts for one public key.
///
/// `EVP_DigestVerifyInit` on OpenSSL 3 fetches the digest and signature implementations, duplicates the
/// key's provider data and builds a fresh context for every call; for SNS, where every notification is
/// checked against the same few certificates, that set-up cost about as much as the RSA math. Here the
/// digest is computed with a pre-fetched `EVP_MD`, and the `EVP_PKEY_CTX` (initialised for verify with
/// PKCS#1 v1.5 and the digest) is borrowed from a small pool and reused.
final class RSAVerifierPool: Sendable {
    private let key: OwnedKey
    /// Idle contexts per algorithm (SHA-1, SHA-256): two small arrays, no hashing on the hot path.
    private let idle = Mutex<([VerifyContext], [VerifyContext])>(([], []))
    private let maxIdle: Int

    /// nil unless `key` (one reference, taken over) is an RSA key.
    init?(taking key: OpaquePointer, maxIdle: Int = 8) {
        let owned = OwnedKey(key)
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA else { return nil }
        self.key = owned
        self.maxIdle = maxIdle
    }

    /// Same contract as `PublicKey.verify`: PKCS#1 v1.5 `signature` over `data`; false on any error.
    func verify(signature: some Collection<UInt8>, data: some Collection<UInt8>, algorithm: SignatureAlgorithm) -> Bool {
        guard !signature.isEmpty, let md = FetchedDigest.named(for: algorithm) else { return false }
        // The digest lives on the stack (EVP_MAX_MD_SIZE is 64 bytes): no heap buffer per message.
        var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &storage) { digestBuffer in
            let digest = digestBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var length: UInt32 = 0
            let hashed = withBytes(data) { raw in
                EVP_Digest(raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), raw.count, digest, &length, md.pointer, nil)
            }
            guard hashed == 1, Int(length) <= digestBuffer.count, let context = borrow(algorithm, md: md) else {
                ERR_clear_error()
                return false
            }
            let status = withBytes(signature) { sig in
                EVP_PKEY_verify(context.pointer, sig.baseAddress?.assumingMemoryBound(to: UInt8.self), sig.count, digest, Int(length))
            }
            if status != 1 { ERR_clear_error() }  // a bad signature leaves entries on the thread's queue
            giveBack(context, algorithm)
            return status == 1
        }
    }

    private func borrow(_ algorithm: SignatureAlgorithm, md: FetchedDigest) -> VerifyContext? {
        let reused = idle.withLock { pools -> VerifyContext? in
            switch algorithm {
            case .rsaSHA1: pools.0.popLast()
            case .rsaSHA256: pools.1.popLast()
            }
        }
        if let reused { return reused }
        guard let pointer = EVP_PKEY_CTX_new_from_pkey(nil, key.pointer, nil) else { return nil }
        let context = VerifyContext(pointer)
        // RSA's default padding is PKCS#1 v1.5, which both SNS algorithms name.
        guard EVP_PKEY_verify_init(pointer) == 1, EVP_PKEY_CTX_set_signature_md(pointer, md.pointer) == 1 else { return nil }
        return context
    }

    private func giveBack(_ context: VerifyContext, _ algorithm: SignatureAlgorithm) {
        let maxIdle = maxIdle
        idle.withLock { pools in
            switch algorithm {
            case .rsaSHA1: if pools.0.count < maxIdle { pools.0.append(context) }
            case .rsaSHA256: if pools.1.count < maxIdle { pools.1.append(context) }
            }
        }
    }
}

/// An `EVP_PKEY` reference, freed with its owner.
// @unchecked: never mutated after init; OpenSSL 3 locks the key's internal caches.
private final class OwnedKey: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EVP_PKEY_free(pointer) }
}

/// One `EVP_PKEY_CTX` initialised for verification.
// @unchecked: used by one caller at a time (borrowed from and given back to the pool under its lock).
private final class VerifyContext: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EVP_PKEY_CTX_free(pointer) }
}

/// Digest implementations fetched once per process (an `EVP_sha1()` handle is fetched again on each use).
private final class FetchedDigest: @unchecked Sendable {
    // @unchecked: an EVP_MD is immutable and reference-counted by OpenSSL; these are never freed.
    let pointer: OpaquePointer

    private init?(_ name: String) {
        guard let md = EVP_MD_fetch(nil, name, nil) else { return nil }
        pointer = md
    }

    private static let sha1 = FetchedDigest("SHA1")
    private static let sha256 = FetchedDigest("SHA256")

    static func named(for algorithm: SignatureAlgorithm) -> FetchedDigest? {
        switch algorithm {
        case .rsaSHA1: sha1
        case .rsaSHA256: sha256
        }
    }
}
