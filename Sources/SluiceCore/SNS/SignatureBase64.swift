import Foundation

/// Decodes the envelope's `Signature` (standard base64, RFC 4648 §4) straight from its UTF-8 bytes.
///
/// Canonical input (length a multiple of 4, alphabet only, `=` only as the last one or two bytes,
/// unused bits zero), which is what SNS sends, is decoded here without the String → Data → Array
/// copies; anything else is handed to Foundation's `Data(base64Encoded:)`, so both paths accept and
/// reject exactly the same inputs.
enum SignatureBase64 {
    /// The decoded bytes, or nil when the text is not base64.
    static func decode(_ text: String) -> [UInt8]? {
        var text = text
        let fast = text.withUTF8 { decodeCanonical($0) }
        if let fast { return fast }
        return Data(base64Encoded: text).map { Array($0) }
    }

    /// nil when `b` is not canonical padded base64 (the caller then asks Foundation).
    static func decodeCanonical(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let n = b.count
        guard n > 0, n % 4 == 0 else { return nil }
        let padding = b[n - 1] == UInt8(ascii: "=") ? (b[n - 2] == UInt8(ascii: "=") ? 2 : 1) : 0
        let outCount = n / 4 * 3 - padding
        var failed = false
        let out = [UInt8](unsafeUninitializedCapacity: outCount) { dst, initialized in
            var o = 0
            var i = 0
            while i < n {
                let last = i + 4 == n
                let a = table[Int(b[i])], c = table[Int(b[i + 1])]
                let x = b[i + 2], y = b[i + 3]
                let d = last && padding == 2 ? 0 : table[Int(x)]
                let e = last && padding >= 1 ? 0 : table[Int(y)]
                if (a | c | d | e) & 0x80 != 0 { failed = true; break }
                let v = UInt32(a) << 18 | UInt32(c) << 12 | UInt32(d) << 6 | UInt32(e)
                if last && padding > 0 {
                    // Unused bits must be zero for the input to be canonical.
                    if padding == 2 && v & 0xFFFF != 0 || padding == 1 && v & 0xFF != 0 { failed = true; break }
                    dst[o] = UInt8(truncatingIfNeeded: v >> 16)
                    if padding == 1 { dst[o + 1] = UInt8(truncatingIfNeeded: v >> 8) }
                    o += 3 - padding
                } else {
                    dst[o] = UInt8(truncatingIfNeeded: v >> 16)
                    dst[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    dst[o + 2] = UInt8(truncatingIfNeeded: v)
                    o += 3
                }
                i += 4
            }
            initialized = failed ? 0 : o
        }
        return failed ? nil : out
    }

    /// Alphabet value per byte; 0xFF for every other byte (including `=`, valid only as padding).
    private static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()
}
