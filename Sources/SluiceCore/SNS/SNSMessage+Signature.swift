import Foundation

extension SNSMessage {
    /// The bytes of the base64 `Signature`; nil when it is not base64 (as `Data(base64Encoded:)`).
    ///
    /// Canonical padded base64 (what SNS sends) is decoded here without the `Data` round trip; any
    /// other spelling goes to `Data(base64Encoded:)`, so what is accepted and refused is unchanged.
    static func decodeSignature(_ text: String) -> [UInt8]? {
        if let bytes = decodeCanonicalBase64(Array(text.utf8)) { return bytes }
        return Data(base64Encoded: text).map { Array($0) }
    }

    /// Strict RFC 4648 §4: length a multiple of 4, only the alphabet, `=` only as the last one or two
    /// characters, the unused bits of the last group zero. nil for anything else.
    static func decodeCanonicalBase64(_ s: [UInt8]) -> [UInt8]? {
        guard !s.isEmpty, s.count % 4 == 0 else { return nil }
        let padding = s[s.count - 1] == UInt8(ascii: "=") ? (s[s.count - 2] == UInt8(ascii: "=") ? 2 : 1) : 0
        var out = [UInt8]()
        out.reserveCapacity(s.count / 4 * 3)
        var i = 0
        while i < s.count {
            let last = i + 4 == s.count
            let groupPadding = last ? padding : 0
            var v: UInt32 = 0
            for k in 0..<(4 - groupPadding) {
                guard let d = sextet(s[i + k]) else { return nil }
                v = v << 6 | UInt32(d)
            }
            switch groupPadding {
            case 0:
                out.append(UInt8(v >> 16 & 0xFF))
                out.append(UInt8(v >> 8 & 0xFF))
                out.append(UInt8(v & 0xFF))
            case 1:
                guard v & 0x3 == 0 else { return nil }
                out.append(UInt8(v >> 10 & 0xFF))
                out.append(UInt8(v >> 2 & 0xFF))
            default:
                guard v & 0xF == 0 else { return nil }
                out.append(UInt8(v >> 4 & 0xFF))
            }
            i += 4
        }
        return out
    }

    private static func sextet(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
