import Foundation

/// What an unsubscribe token names: one recipient, optionally one list (a suppression scope), and when it was issued.
public struct UnsubscribeToken: Sendable, Equatable {
    /// Longest recipient, in bytes.
    public static let maxRecipientBytes = 320
    /// Longest list name, in bytes.
    public static let maxListBytes = 255

    public var recipient: String
    /// A suppression scope (`list` or `list/topic`); nil unsubscribes from all mail.
    public var list: String?
    /// Whole seconds since 1970.
    public var issuedAt: Date
    /// The id of the key that signed it (set by `verify`).
    public var keyId: String?

    public init(recipient: String, list: String? = nil, issuedAt: Date, keyId: String? = nil) {
        self.recipient = recipient
        self.list = list
        self.issuedAt = Date(timeIntervalSince1970: issuedAt.timeIntervalSince1970.rounded(.down))
        self.keyId = keyId
    }
}
