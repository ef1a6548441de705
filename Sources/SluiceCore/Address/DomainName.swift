import Foundation

/// Converts a mail domain to its lower-case ASCII (IDNA) form, label by label.
///
/// IDNA here is RFC 5891's core: Unicode labels are lower-cased, NFC-normalised, checked for
/// characters that can appear in a U-label (letters, marks, digits, hyphen), and Punycode-encoded;
/// `xn--` labels must decode and re-encode to themselves. Full UTS #46 mapping tables and the
/// RFC 5892 contextual rules are out of scope.
enum DomainName {
    enum Failure: Error, Sendable, Equatable {
        case empty, tooLong, emptyLabel, labelTooLong, invalidCharacter, hyphenPosition, invalidIDNA
        case literal, notQualified, numericTopLevel, trailingDot
    }

    /// The longest domain (RFC 1035 wire limit 255 minus length octets; RFC 5321 §4.5.3.1.2).
    static let maxLength = 253
    static let maxLabelLength = 63

    /// Converts `domain` to ASCII. `strict` applies RFC 5321 send-side rules (LDH only, hyphen
    /// placement, at least two labels, non-numeric top-level label, no trailing dot); otherwise the
    /// underscore is tolerated and one trailing dot is dropped, which is enough for a matching key.
    static func toASCII(_ domain: ArraySlice<UInt8>, strict: Bool) -> Result<String, Failure> {
        var bytes = domain
        guard !bytes.isEmpty else { return .failure(.empty) }
        guard bytes.count <= 1024 else { return .failure(.tooLong) }
        if bytes.first == UInt8(ascii: "[") { return .failure(.literal) }
        if bytes.last == UInt8(ascii: ".") {
            if strict { return .failure(.trailingDot) }
            bytes.removeLast()
            guard !bytes.isEmpty else { return .failure(.emptyLabel) }
        }
        let isASCII = bytes.allSatisfy { $0 < 0x80 }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        var labelCount = 0
        var lastLabelNumeric = false
        if isASCII {
            var start = bytes.startIndex
            while start <= bytes.endIndex {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: ".")) ?? bytes.endIndex
                switch asciiLabel(bytes[start..<end], strict: strict, into: &out) {
                case .failure(let failure): return .failure(failure)
                case .success(let numeric): lastLabelNumeric = numeric
                }
                labelCount += 1
                start = end + 1
                if start <= bytes.endIndex { out.append(UInt8(ascii: ".")) }
            }
        } else {
            let text = String(decoding: bytes, as: UTF8.self)
            // UTS #46 treats these full-width and ideographic full stops as label separators.
            let labels = text.split(omittingEmptySubsequences: false) { ch in
                ch == "." || ch == "\u{3002}" || ch == "\u{FF0E}" || ch == "\u{FF61}"
            }
            for (index, label) in labels.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ".")) }
                // U+212A KELVIN SIGN lower-cases to "k": a label that maps to ASCII is that ASCII label
                // (`\u{212A}ayak` is `kayak`), never an `xn--` form no one could type.
                let mapped = label.utf8.allSatisfy({ $0 < 0x80 }) ? String(label) : mappedLabel(label)
                if mapped.utf8.allSatisfy({ $0 < 0x80 }) {
                    switch asciiLabel(ArraySlice(mapped.utf8), strict: strict, into: &out) {
                    case .failure(let failure): return .failure(failure)
                    case .success(let numeric): lastLabelNumeric = numeric
                    }
                } else {
                    guard let encoded = unicodeLabel(label) else { return .failure(.invalidIDNA) }
                    guard encoded.utf8.count <= maxLabelLength else { return .failure(.labelTooLong) }
                    out.append(contentsOf: encoded.utf8)
                    lastLabelNumeric = false
                }
                labelCount += 1
            }
        }
        guard out.count <= maxLength else { return .failure(.tooLong) }
        if strict {
            guard labelCount >= 2 else { return .failure(.notQualified) }
            // RFC 3696 §2: a top-level domain is never all-numeric (that would be an IP address).
            guard !lastLabelNumeric else { return .failure(.numericTopLevel) }
        }
        return .success(String(decoding: out, as: UTF8.self))
    }

    /// Appends one lower-cased ASCII label; returns whether it was all digits.
    private static func asciiLabel(_ label: ArraySlice<UInt8>, strict: Bool, into out: inout [UInt8]) -> Result<Bool, Failure> {
        guard !label.isEmpty else { return .failure(.emptyLabel) }
        guard label.count <= maxLabelLength else { return .failure(.labelTooLong) }
        var numeric = true
        let start = out.count
        for byte in label {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): out.append(byte); numeric = false
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): out.append(byte | 0x20); numeric = false
            case UInt8(ascii: "0")...UInt8(ascii: "9"): out.append(byte)
            case UInt8(ascii: "-"): out.append(byte); numeric = false
            case UInt8(ascii: "_") where !strict: out.append(byte); numeric = false
            default: return .failure(.invalidCharacter)
            }
        }
        if strict, label.first == UInt8(ascii: "-") || label.last == UInt8(ascii: "-") {
            return .failure(.hyphenPosition)
        }
        let lowered = out[start...]
        if lowered.starts(with: "xn--".utf8) {
            // An A-label must be the canonical encoding of a valid U-label (RFC 5891 §5.4).
            let punycode = Substring(decoding: lowered.dropFirst(4), as: UTF8.self)
            guard let scalars = Punycode.decode(punycode.utf8),
                  scalars.contains(where: { $0.value >= 0x80 }),
                  let unicode = Optional(String(String.UnicodeScalarView(scalars))),
                  let reencoded = unicodeLabel(Substring(unicode)),
                  reencoded.utf8.elementsEqual(lowered)
            else { return .failure(.invalidIDNA) }
        }
        return .success(numeric)
    }

    /// A Unicode label lower-cased and NFC-composed, the form that is checked and encoded.
    private static func mappedLabel(_ label: Substring) -> String {
        String(label).lowercased().precomposedStringWithCanonicalMapping
    }

    /// The `xn--` form of a Unicode label, or nil when it cannot be a U-label (also when it maps to ASCII:
    /// an A-label decoding to one, `xn--kayak-`, is not the canonical form of its label).
    private static func unicodeLabel(_ label: Substring) -> String? {
        let scalars = Array(mappedLabel(label).unicodeScalars)
        guard scalars.contains(where: { !$0.isASCII }) else { return nil }
        guard let first = scalars.first, let last = scalars.last else { return nil }
        guard first != "-", last != "-" else { return nil }
        // RFC 5891 §4.2.3.1: "--" in positions 3 and 4 is reserved for A-label prefixes.
        if scalars.count >= 4, scalars[2] == "-", scalars[3] == "-" { return nil }
        // RFC 5891 §4.2.3.2: a label must not begin with a combining mark.
        if isMark(first) { return nil }
        for scalar in scalars {
            if scalar.value < 0x80 {
                let byte = UInt8(scalar.value)
                let ok = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                if !ok { return nil }
            } else if !isLetterMarkOrDigit(scalar) {
                return nil
            }
        }
        guard let encoded = Punycode.encode(scalars) else { return nil }
        return "xn--" + encoded
    }

    private static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }

    // An approximation of IDNA2008 PVALID: letters, combining marks and decimal digits.
    private static func isLetterMarkOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .lowercaseLetter, .otherLetter, .modifierLetter, .nonspacingMark, .spacingMark, .decimalNumber:
            true
        default:
            false
        }
    }
}
