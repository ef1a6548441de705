/// RFC 8259 string escaping for hand-written JSON (queue payloads, API bodies, outbox records).
public enum JSONBytes {
    /// Appends `value` as a quoted JSON string. `escapingHTML` also writes `<`, `>`, `&` as `\u00XX`
    /// so a browser never sniffs an API answer as HTML.
    public static func string(_ value: String, into out: inout [UInt8], escapingHTML: Bool = false) {
        out.append(34)
        var value = value
        // Runs without escapes are copied in one piece: most strings (addresses, ids) have none.
        value.withUTF8 { bytes in
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard needsEscape(byte, escapingHTML: escapingHTML) else { continue }
                if start < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index])) }
                escape(byte, into: &out)
                start = index + 1
            }
            if start < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...])) }
        }
        out.append(34)
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8, escapingHTML: Bool) -> Bool {
        switch byte {
        case 34, 92, 0..<0x20, 0x7F: true
        case 60, 62, 38: escapingHTML
        default: false
        }
    }

    private static func escape(_ byte: UInt8, into out: inout [UInt8]) {
        switch byte {
        case 34: out.append(92); out.append(34)
        case 92: out.append(92); out.append(92)
        case 10: out.append(92); out.append(110)
        case 13: out.append(92); out.append(114)
        case 9: out.append(92); out.append(116)
        default:
            out.append(contentsOf: [92, 117, 48, 48])
            out.append(hexDigit(byte >> 4))
            out.append(hexDigit(byte & 0xF))
        }
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 48 + nibble : 87 + nibble
    }
}
