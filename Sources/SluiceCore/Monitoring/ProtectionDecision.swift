/// What the protection policy wants done now.
public enum ProtectionDecision: Sendable, Equatable {
    case none
    /// Pause the whole send gate.
    case pauseAll(reason: String)
    /// Pause only these identities, each with its reason.
    case pauseIdentities([IdentityPause])
}

/// One identity to pause and why.
public struct IdentityPause: Sendable, Equatable, Codable {
    public var identity: String
    public var reason: String

    public init(identity: String, reason: String) {
        self.identity = identity
        self.reason = reason
    }
}
