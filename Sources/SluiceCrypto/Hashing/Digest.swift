import COpenSSL

/// One-shot message digests (SHA-1 only for legacy signature checks such as SNS SignatureVersion 1).
public enum Digest {
    /// SHA-1 of `data` (20 bytes).
    public static func sha1(_ data: some Collection<UInt8>) -> [UInt8] { digest(data, EVP_sha1(), size: 20) }

    /// SHA-256 of `data` (32 bytes).
    public static func sha256(_ data: some Collection<UInt8>) -> [UInt8] { digest(data, EVP_sha256(), size: 32) }

    /// SHA-256 of the UTF-8 bytes of `string`.
    public static func sha256(_ string: String) -> [UInt8] { sha256(Array(string.utf8)) }

    /// Lower-case hex SHA-256 of `data`, as SigV4 wants for payload hashes and canonical requests.
    public static func sha256Hex(_ data: some Collection<UInt8>) -> String { Hex.encode(sha256(data)) }

    /// Lower-case hex SHA-256 of the UTF-8 bytes of `string`.
    public static func sha256Hex(_ string: String) -> String { Hex.encode(sha256(string)) }

    private static func digest(_ data: some Collection<UInt8>, _ md: OpaquePointer?, size: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let status = withBytes(data) { raw in
            EVP_Digest(raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), raw.count, &out, &length, md, nil)
        }
        // EVP_Digest on a built-in algorithm fails only when allocation fails.
        precondition(status == 1 && Int(length) == size, "EVP_Digest failed: \(OpenSSLError.drainQueue())")
        return Array(out.prefix(size))
    }
}
