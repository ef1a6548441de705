extension AddressNormalizer {
    /// The key this build makes of `key`, a key stored by a build that kept needless quotes around a local
    /// part (`"a..b"@x`, now `a..b@x`); nil when `key` is not such a key. Only the quotes go: the content
    /// was lower-cased and composed already, as the configuration of the time asked.
    public static func unquotedLegacyKey(_ key: String) -> String? {
        let bytes = ArraySlice(key.utf8)
        guard bytes.first == UInt8(ascii: "\""), let close = AddressParts.closingQuote(in: bytes),
              close + 1 < bytes.endIndex, bytes[close + 1] == UInt8(ascii: "@")
        else { return nil }
        let content = bytes[(bytes.startIndex + 1)..<close]
        // `\` only ever escaped `"` or `\`, both specials: such a key keeps its quotes.
        guard !content.isEmpty, !hasSpecial(content) else { return nil }
        return String(decoding: content, as: UTF8.self) + String(decoding: bytes[(close + 1)...], as: UTF8.self)
    }

    /// `key` as an RFC 5322 addr-spec another system accepts (SES): a local part that is not a dot-atom
    /// (`a..b`, `.a`) is quoted again (`"a..b"@x`); any other key is returned as it is.
    public static func addrSpec(ofKey key: String) -> String {
        let bytes = ArraySlice(key.utf8)
        guard bytes.first != UInt8(ascii: "\""), let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return key }
        let local = bytes[..<at]
        guard LocalPart.checkDotAtom(local, allowUTF8: true) == .dotPlacement else { return key }
        return String(decoding: quoted(Array(local)), as: UTF8.self) + String(decoding: bytes[at...], as: UTF8.self)
    }
}
