/// Byte-level pieces of log lines: JSON string literals, `key=value` text values and numbers,
/// appended to a growing `[UInt8]` without intermediate Strings.
enum LogLineEncoding {
    /// Appends `s` as a JSON string literal: `"`, `\`, every control character, DEL and the JavaScript
    /// line separators U+2028/U+2029 escaped, so a hostile value cannot forge or split a line.
    static func appendJSONString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { appendEscaped($0, to: &out) }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `s` bare when it needs no quoting, else as a JSON string literal (the `text` format).
    static func appendTextValue(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { bytes in
            // Empty, or containing a space, a quote, `=`, a control character or DEL: quoted.
            let bare = !bytes.isEmpty && !bytes.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x7F }
            if bare {
                out.append(contentsOf: bytes)
            } else {
                out.append(UInt8(ascii: "\""))
                appendEscaped(bytes, to: &out)
                out.append(UInt8(ascii: "\""))
            }
        }
    }

    /// The escaped body of a JSON string: runs of plain bytes are copied whole (the ASCII fast path).
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let n = bytes.count
        var i = 0
        var run = 0
        while i < n {
            let b = bytes[i]
            if b >= 0x20 && b != 0x22 && b != 0x5C && b != 0x7F {
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9; other bytes of UTF-8 pass through.
                if b != 0xE2 || i + 2 >= n || bytes[i + 1] != 0x80 || (bytes[i + 2] != 0xA8 && bytes[i + 2] != 0xA9) {
                    i += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                appendUnicodeEscape(bytes[i + 2] == 0xA8 ? 0x2028 : 0x2029, to: &out)
                i += 3
                run = i
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
            switch b {
            case 0x22: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case 0x5C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            default: appendUnicodeEscape(UInt32(b), to: &out)
            }
            i += 1
            run = i
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<n]))
    }

    /// `\u` and four lowercase hex digits.
    private static func appendUnicodeEscape(_ value: UInt32, to out: inout [UInt8]) {
        let hex: StaticString = "0123456789abcdef"
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "u"))
        hex.withUTF8Buffer { digits in
            for shift in stride(from: 12, through: 0, by: -4) {
                out.append(digits[Int((value >> UInt32(shift)) & 0xF)])
            }
        }
    }

    /// Appends `value` in decimal, as `"\(value)"` would.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var m = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for UInt.max's 20 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var k = buffer.count
            repeat {
                k -= 1
                buffer[k] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
            } while m > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[k...]))
        }
    }

    /// Appends `milliseconds` as `"\(milliseconds)"` would, for values that are whole microseconds
    /// (`0.123`, `12.0`): below 10^12 ms such a Double's shortest round-trip form is exactly its
    /// decimal digits, so they are written from the integer; anything else takes the Double's description.
    static func appendMilliseconds(microseconds us: Double, to out: inout [UInt8]) {
        guard us.sign == .plus, us < 1e15, us == us.rounded() else {
            out.append(contentsOf: "\(us / 1e3)".utf8)
            return
        }
        let n = Int(us)
        appendDecimal(n / 1000, to: &out)
        out.append(UInt8(ascii: "."))
        var fraction = n % 1000
        if fraction == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        var width = 3
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        // Leading zeros of the fraction (`0.005`), then its significant digits.
        var scale = 1
        for _ in 1..<width { scale *= 10 }
        while scale > fraction {
            out.append(UInt8(ascii: "0"))
            scale /= 10
        }
        appendDecimal(fraction, to: &out)
    }
}
