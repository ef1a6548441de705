/// How addresses are turned into matching keys.
public struct AddressNormalizerConfiguration: Sendable, Equatable {
    /// Lower-case the local part too. RFC 5321 says local parts may be case-sensitive, but no
    /// mainstream mailbox provider treats them so, and a missed suppression costs more than a merge.
    public var caseInsensitiveLocalPart: Bool

    public init(caseInsensitiveLocalPart: Bool = true) {
        self.caseInsensitiveLocalPart = caseInsensitiveLocalPart
    }
}
