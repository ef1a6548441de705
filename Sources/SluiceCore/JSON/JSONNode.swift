/// One value in a `JSONDocument`'s flat index: its kind and where its bytes are, nothing decoded.
struct JSONNode: Sendable {
    enum Kind: UInt8, Sendable {
        case null, `true`, `false`, number, string, array, object
    }

    /// `flags` bit: the string holds a backslash escape (decode before use).
    static let escaped: UInt8 = 1
    /// `flags` bit: the string holds bytes ≥ 0x80 (already checked to be valid UTF-8).
    static let nonASCII: UInt8 = 2

    var kind: Kind
    var flags: UInt8 = 0
    /// Strings: first byte after the opening quote; numbers: first byte; containers: member or element count.
    var start: Int
    /// Strings: offset of the closing quote; numbers: one past the last digit; containers: the index
    /// of the first node after this one's subtree (objects hold key, value, key, value … nodes).
    var end: Int
}
