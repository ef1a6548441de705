import COpenSSL

/// HMAC message authentication codes.
public enum HMAC {
    /// HMAC-SHA256 of `data` under `key` (32 bytes).
    public static func sha256(key: some Collection<UInt8>, data: some Collection<UInt8>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = withBytes(key) { keyBytes in
            withBytes(data) { dataBytes in
                // The module-qualified name: our own `HMAC` enum shadows OpenSSL's function.
                COpenSSL.HMAC(
                    EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count),
                    dataBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), dataBytes.count,
                    &out, &length)
            }
        }
        precondition(result != nil && length == 32, "HMAC failed: \(OpenSSLError.drainQueue())")
        return Array(out.prefix(32))
    }

    /// HMAC-SHA256 keyed by `key` over the UTF-8 bytes of `string` (the SigV4 signing-key chain step).
    public static func sha256(key: some Collection<UInt8>, string: String) -> [UInt8] {
        sha256(key: key, data: Array(string.utf8))
    }
}
