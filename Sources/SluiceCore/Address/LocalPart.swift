/// Syntax of the local part of an address (RFC 5322 §3.2.3, §3.4.1).
enum LocalPart {
    enum Failure: Error, Sendable, Equatable {
        case tooLong, invalidCharacter, dotPlacement, nonASCII, unterminatedQuote
    }

    /// RFC 5321 §4.5.3.1.1.
    static let maxLength = 64

    /// RFC 5322 `atext` for ASCII bytes.
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"),
             UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
             UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// Whether `bytes` is a dot-atom (`allowUTF8` adds RFC 6532 UTF-8 octets to atext).
    static func checkDotAtom(_ bytes: ArraySlice<UInt8>, allowUTF8: Bool) -> Failure? {
        guard let first = bytes.first, let last = bytes.last else { return .dotPlacement }
        if first == UInt8(ascii: ".") || last == UInt8(ascii: ".") { return .dotPlacement }
        var previousDot = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previousDot { return .dotPlacement }
                previousDot = true
                continue
            }
            previousDot = false
            if byte >= 0x80 {
                if !allowUTF8 { return .nonASCII }
            } else if !isAtext(byte) {
                return .invalidCharacter
            }
        }
        return nil
    }

    /// The unescaped content of a quoted local part (`bytes` starts and ends with `"`).
    static func unquote(_ bytes: ArraySlice<UInt8>, allowUTF8: Bool) -> Result<[UInt8], Failure> {
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "\""),
              AddressParts.closingQuote(in: bytes) == bytes.endIndex - 1
        else { return .failure(.unterminatedQuote) }
        var content: [UInt8] = []
        var index = bytes.startIndex + 1
        let end = bytes.endIndex - 1
        while index < end {
            var byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < end else { return .failure(.unterminatedQuote) }
                byte = bytes[index]
                // quoted-pair = "\" (VCHAR / WSP)
                guard byte == 0x20 || byte == 0x09 || (byte >= 0x21 && byte <= 0x7E) || (allowUTF8 && byte >= 0x80)
                else { return .failure(.invalidCharacter) }
            } else {
                // qtext = %d33 / %d35-91 / %d93-126, plus WSP inside the quotes.
                let ok = byte == 0x20 || byte == 0x09 || byte == 33 || (byte >= 35 && byte <= 91)
                    || (byte >= 93 && byte <= 126)
                if byte >= 0x80 {
                    if !allowUTF8 { return .failure(.nonASCII) }
                } else if !ok {
                    return .failure(.invalidCharacter)
                }
            }
            content.append(byte)
            index += 1
        }
        return .success(content)
    }
}
