/// An address in its written spelling and its matching key.
public struct NormalizedAddress: Sendable, Hashable, Codable {
    /// The address as written, without display name, angle brackets or surrounding whitespace.
    public var original: String
    /// The matching key: ASCII (IDNA) lower-case domain, local part lower-cased when configured.
    public var normalized: String

    public init(original: String, normalized: String) {
        self.original = original
        self.normalized = normalized
    }

    /// The part of `normalized` after the last `@`.
    public var domain: Substring {
        // ASCII (the usual key): a byte search finds the same `@` as the Character search.
        let utf8 = normalized.utf8
        if utf8.allSatisfy({ $0 < 0x80 }) {
            guard let at = utf8.lastIndex(of: UInt8(ascii: "@")) else { return normalized[normalized.endIndex...] }
            return normalized[utf8.index(after: at)...]
        }
        guard let at = normalized.lastIndex(of: "@") else { return normalized[normalized.endIndex...] }
        return normalized[normalized.index(after: at)...]
    }
}
