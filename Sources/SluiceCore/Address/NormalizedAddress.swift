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
        guard let at = normalized.lastIndex(of: "@") else { return normalized[normalized.endIndex...] }
        return normalized[normalized.index(after: at)...]
    }
}
