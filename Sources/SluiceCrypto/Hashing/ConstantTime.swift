import COpenSSL

/// Comparisons of secrets that do not leak where the first difference is.
public enum ConstantTime {
    /// True when `a` and `b` are equal; time depends only on the lengths (which are not secret).
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return withBytes(a) { left in
            withBytes(b) { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0 }
        }
    }

    /// Constant-time equality of the UTF-8 bytes of two strings (tokens, API keys).
    public static func equals(_ a: String, _ b: String) -> Bool { equals(Array(a.utf8), Array(b.utf8)) }
}
