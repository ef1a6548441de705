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
        guard n > 0, n % 4 == 0, let src = b.baseAddress else { return nil }
        let padding = src[n - 1] == UInt8(ascii: "=") ? (src[n - 2] == UInt8(ascii: "=") ? 2 : 1) : 0
        let outCount = n / 4 * 3 - padding
        return table.withUnsafeBufferPointer { t -> [UInt8]? in
            let t = t.baseAddress!
            var failed = false
            let out = [UInt8](unsafeUninitializedCapacity: outCount) { dst, initialized in
                let d = dst.baseAddress!
                var o = 0
                var i = 0
                // Every group but the last: four alphabet bytes, three output bytes; one check per group.
                let full = n - 4
                var bad: UInt8 = 0
                while i < full {
                    let a = t[Int(src[i])], c = t[Int(src[i + 1])], e = t[Int(src[i + 2])], f = t[Int(src[i + 3])]
                    bad |= a | c | e | f
                    let v = UInt32(a) << 18 | UInt32(c) << 12 | UInt32(e) << 6 | UInt32(f)
                    d[o] = UInt8(truncatingIfNeeded: v >> 16)
                    d[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    d[o + 2] = UInt8(truncatingIfNeeded: v)
                    o += 3
                    i += 4
                }
                let a = t[Int(src[i])], c = t[Int(src[i + 1])]
                let e = padding == 2 ? 0 : t[Int(src[i + 2])]
                let f = padding >= 1 ? 0 : t[Int(src[i + 3])]
                bad |= a | c | e | f
                let v = UInt32(a) << 18 | UInt32(c) << 12 | UInt32(e) << 6 | UInt32(f)
                // 0x80 marks a byte outside the alphabet; unused bits of a padded group must be zero.
                if bad & 0x80 != 0 || padding == 2 && v & 0xFFFF != 0 || padding == 1 && v & 0xFF != 0 {
                    failed = true
                    initialized = 0
                    return
                }
                d[o] = UInt8(truncatingIfNeeded: v >> 16)
                if padding < 2 { d[o + 1] = UInt8(truncatingIfNeeded: v >> 8) }
                if padding < 1 { d[o + 2] = UInt8(truncatingIfNeeded: v) }
                initialized = outCount
            }
            return failed ? nil : out
        }
    }

    /// Alphabet value per byte; 0xFF for every other byte (including `=`, valid only as padding).
    private static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()
}
