import Foundation

/// Turns an address as written (`"Jane Doe" <Jane@Bücher.Example>`) into its matching key
/// (`jane@xn--bcher-kva.example`). Lenient: it accepts anything that identifies a mailbox; use
/// `EmailAddressValidator` for send-side syntax checks.
public struct AddressNormalizer: Sendable {
    public let configuration: AddressNormalizerConfiguration

    public init(configuration: AddressNormalizerConfiguration = AddressNormalizerConfiguration()) {
        self.configuration = configuration
    }

    /// The normalised address, or nil when `raw` cannot be an address.
    public func normalize(_ raw: String) -> NormalizedAddress? {
        if let key = simpleKey(raw) { return NormalizedAddress(original: raw, normalized: key) }
        return normalizeInGeneral(raw)
    }

    /// `normalize` without the plain-ASCII fast path (the reference the fast path is tested against).
    func normalizeInGeneral(_ raw: String) -> NormalizedAddress? {
        guard case .success(let parts) = AddressParts.split(raw), let key = key(of: parts) else { return nil }
        var original = Array(parts.local)
        original.append(UInt8(ascii: "@"))
        original.append(contentsOf: parts.domain)
        return NormalizedAddress(
            original: String(decoding: original, as: UTF8.self),
            normalized: key
        )
    }

    /// Only the matching key of `raw` (`normalize(raw)?.normalized`), as the suppression gate needs it.
    public func normalizedKey(_ raw: String) -> String? {
        if let key = simpleKey(raw) { return key }
        guard case .success(let parts) = AddressParts.split(raw) else { return nil }
        return key(of: parts)
    }

    private func key(of parts: AddressParts) -> String? {
        guard var local = normalizedLocalPart(parts.local) else { return nil }
        guard case .success(let domain) = DomainName.toASCII(parts.domain, strict: false) else { return nil }
        local.append(UInt8(ascii: "@"))
        local.append(contentsOf: domain.utf8)
        return String(decoding: local, as: UTF8.self)
    }

    private func normalizedLocalPart(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var content: [UInt8]
        if bytes.first == UInt8(ascii: "\"") {
            guard case .success(let unquoted) = LocalPart.unquote(bytes, allowUTF8: true) else { return nil }
            content = unquoted
        } else {
            // Tolerate dot misplacement seen in the wild, but not RFC 5322 specials or spaces.
            guard !Self.hasSpecial(bytes) else { return nil }
            content = Array(bytes)
        }
        guard let folded = folded(content) else { return nil }
        content = folded
        // RFC 5322 §3.4.1: quoting what needs no quotes names the same mailbox, so `"john"@x` is `john@x`
        // and `"taro..yamada"@x` (how it must be sent) is `taro..yamada@x` (how it is often written). Decided
        // on the folded content, so the key normalises to itself: composition can make a special (U+037E
        // GREEK QUESTION MARK is ';') or unmake one ('<' + U+0338 is U+226E).
        return !content.isEmpty && !Self.hasSpecial(content[...]) ? content : Self.quoted(content)
    }

    /// The local part's content as the key holds it: lower case (unless configured otherwise) and, beyond
    /// ASCII, NFC; nil when it holds an invisible code point.
    private func folded(_ content: [UInt8]) -> [UInt8]? {
        var local = content
        if local.allSatisfy({ $0 < 0x80 }) {
            guard configuration.caseInsensitiveLocalPart else { return local }
            for index in local.indices where local[index] >= UInt8(ascii: "A") && local[index] <= UInt8(ascii: "Z") {
                local[index] |= 0x20
            }
            return local
        }
        let text = String(decoding: local, as: UTF8.self)
        // A zero-width space, BOM or NBSP inside makes a key that looks like another and never matches it.
        guard Self.invisibleScalar(in: text) == nil else { return nil }
        // `Jörg` typed precomposed or decomposed (o + U+0308) is one mailbox name: NFC, then lower case
        // (composed again, as a few lower-case mappings decompose, so the key stays a fixed point).
        let composed = text.precomposedStringWithCanonicalMapping
        return configuration.caseInsensitiveLocalPart
            ? Array(composed.lowercased().precomposedStringWithCanonicalMapping.utf8) : Array(composed.utf8)
    }

    /// Whether `bytes` hold an ASCII byte other than atext and `.` (an RFC 5322 special, space or control),
    /// which only a quoted local part may contain. UTF-8 bytes count as atext (RFC 6532).
    static func hasSpecial(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.contains { $0 < 0x80 && $0 != UInt8(ascii: ".") && !LocalPart.isAtext($0) }
    }

    /// `content` as a quoted string: in quotes, with `"` and `\` escaped.
    static func quoted(_ content: [UInt8]) -> [UInt8] {
        var out = [UInt8(ascii: "\"")]
        for byte in content {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// The first non-ASCII control, format or separator code point (Unicode categories Cc, Cf, Zs, Zl, Zp:
    /// U+0085, U+200B, U+FEFF, U+00A0, U+2028…) in `text`, which no local part may contain; nil when none.
    public static func invisibleScalar(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            guard !scalar.isASCII else { return false }
            switch scalar.properties.generalCategory {
            case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
    }
}
