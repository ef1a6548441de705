/// Send-side address rules.
public struct EmailAddressValidatorConfiguration: Sendable, Equatable {
    /// Accept `Name <addr>`; the name is dropped from the result.
    public var allowDisplayName: Bool
    /// Accept UTF-8 local parts (RFC 6531). Off because SES does not support SMTPUTF8.
    public var allowUTF8LocalPart: Bool

    public init(allowDisplayName: Bool = false, allowUTF8LocalPart: Bool = false) {
        self.allowDisplayName = allowDisplayName
        self.allowUTF8LocalPart = allowUTF8LocalPart
    }
}
