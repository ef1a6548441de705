/// RFC 9110 §5.6.2 token characters.
enum HeaderSyntax {
    // The token set as a 128-bit mask (bytes 0-63, 64-127): a test without a table lookup or the
    // lazy-global check a `static let` array costs per call.
    private static let tokenLow: UInt64 = 0x03FF_6CFA_0000_0000
    private static let tokenHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    @inline(__always)
    static func isTokenByte(_ b: UInt8) -> Bool {
        if b < 64 { return tokenLow >> UInt64(b) & 1 != 0 }
        if b < 128 { return tokenHigh >> UInt64(b - 64) & 1 != 0 }
        return false
    }

    /// Whether `id` is a sane request id: 1-128 of [A-Za-z0-9._-].
    static func isSaneRequestId(_ id: String) -> Bool {
        let u = id.utf8
        guard !u.isEmpty, u.count <= 128 else { return false }
        return u.allSatisfy(isRequestIdByte)
    }

    /// `isSaneRequestId` over raw header bytes.
    static func isSaneRequestId(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.count <= 128 && bytes.allSatisfy(isRequestIdByte)
    }

    @inline(__always)
    private static func isRequestIdByte(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 46 || b == 95 || b == 45
    }
}
