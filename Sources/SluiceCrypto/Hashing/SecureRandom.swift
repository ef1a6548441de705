import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's CSPRNG.
public enum SecureRandom {
    /// `count` random bytes.
    /// - Throws: `CryptoError` `.randomFailed` if the generator is not seeded (never expected on Linux).
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "SecureRandom.bytes: count out of range")
        var out = [UInt8](repeating: 0, count: count)
        if count == 0 { return out }
        try OpenSSLError.check(RAND_bytes(&out, Int32(count)), .randomFailed, "RAND_bytes failed")
        return out
    }

    /// `count` random bytes as lower-case hex (`2 * count` characters), handy for ids and tokens.
    public static func hex(_ count: Int) throws(CryptoError) -> String { Hex.encode(try bytes(count)) }
}
