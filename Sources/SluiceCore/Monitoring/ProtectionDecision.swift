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

/// What the policy found for one scope (overall or one identity).
public struct ProtectionFinding: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// A judged rate at or above its threshold.
        case breach(reason: String)
        /// Judged, and under the thresholds.
        case clear
        /// Too few sends, or a rate at or above its threshold from too few events: neither breach nor clear.
        case notJudged
    }

    public var state: State
    /// The judged rates (what a later breach is compared with).
    public var rates: BreachRates

    public init(state: State, rates: BreachRates) {
        self.state = state
        self.rates = rates
    }
}

/// A decision and the findings behind it, per scope.
public struct ProtectionAssessment: Sendable, Equatable {
    public var decision: ProtectionDecision
    public var findings: [AlertScope: ProtectionFinding]

    public init(decision: ProtectionDecision, findings: [AlertScope: ProtectionFinding]) {
        self.decision = decision
        self.findings = findings
    }

    /// The scopes that breach now, with their rates.
    public var breaches: [AlertScope: BreachRates] {
        findings.compactMapValues { if case .breach = $0.state { return $0.rates } else { return nil } }
    }
}
