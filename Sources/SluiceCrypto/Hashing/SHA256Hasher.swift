import COpenSSL

/// Incremental SHA-256 for data that arrives in pieces (streamed exports, large bodies).
public final class SHA256Hasher {
    private let context: OpaquePointer
    private var finished = false

    public init() {
        // Allocation failure here is unrecoverable, like any other malloc failure.
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            fatalError("EVP_MD_CTX_new/EVP_DigestInit_ex failed: \(OpenSSLError.drainQueue())")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Feeds more bytes into the hash.
    public func update(_ data: some Collection<UInt8>) {
        precondition(!finished, "SHA256Hasher.update after finalize")
        let status = withBytes(data) { raw in
            raw.isEmpty ? 1 : EVP_DigestUpdate(context, raw.baseAddress, raw.count)
        }
        precondition(status == 1, "EVP_DigestUpdate failed")
    }

    /// The digest of everything fed so far (32 bytes); the hasher cannot be used afterwards.
    public func finalize() -> [UInt8] {
        precondition(!finished, "SHA256Hasher.finalize called twice")
        finished = true
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let status = EVP_DigestFinal_ex(context, &out, &length)
        precondition(status == 1 && length == 32, "EVP_DigestFinal_ex failed")
        return Array(out.prefix(32))
    }
}
