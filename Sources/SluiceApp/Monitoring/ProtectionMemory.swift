import SluiceCore

/// Which protection pauses the monitor already applied while their condition kept holding.
///
/// A pause is applied once per episode: when an operator resumes while the same breach still holds, the
/// monitor does not pause again unless the breach worsens (`ProtectionPolicy.worsened`: a rate at 1.25 times
/// the one at the last pause, or at AWS's review level). The reference rates are those at the pause, raised to
/// the highest seen while sending stayed paused, so a resume is judged against what the operator saw. An
/// episode ends (and its memory is cleared) when its scopes are judged clear; a scope that is merely not
/// judged (too few sends or events) keeps it going, so a breach hovering at the minimum volume is one episode.
struct ProtectionMemory: Sendable, Equatable {
    /// The whole gate was paused for the current episode.
    var pausedAll = false
    /// Identities paused in their current episodes.
    var identities: Set<String> = []
    /// The rates of each breaching scope (`overall`, `identity:<name>`) at the whole-gate pause, or the highest since.
    var allRates: [String: BreachRates] = [:]
    /// Each paused identity's rates at its pause, or the highest since.
    var identityRates: [String: BreachRates] = [:]
}

extension ProtectionMemory: Codable {
    private enum CodingKeys: String, CodingKey { case pausedAll, identities, allRates, identityRates }

    init(from decoder: any Decoder) throws {
        // Memory saved before the rates were kept decodes with none: the next evaluation takes the current ones.
        let c = try decoder.container(keyedBy: CodingKeys.self)
        pausedAll = try c.decodeIfPresent(Bool.self, forKey: .pausedAll) ?? false
        identities = try c.decodeIfPresent(Set<String>.self, forKey: .identities) ?? []
        allRates = try c.decodeIfPresent([String: BreachRates].self, forKey: .allRates) ?? [:]
        identityRates = try c.decodeIfPresent([String: BreachRates].self, forKey: .identityRates) ?? [:]
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pausedAll, forKey: .pausedAll)
        try c.encode(identities.sorted(), forKey: .identities)
        try c.encode(allRates, forKey: .allRates)
        try c.encode(identityRates, forKey: .identityRates)
    }
}

/// What the monitor must do to the send gate after a protection decision.
enum ProtectionAction: Sendable, Equatable {
    case none
    /// `again`: why a pause within an episode an operator resumed is applied again (nil for the first).
    case pauseAll(reason: String, again: String? = nil)
    /// Identity → reason, only the identities not already paused in this episode or whose breach worsened
    /// since (`again`).
    case pauseIdentities([String: String], again: Set<String> = [])
}

extension ProtectionMemory {
    /// Folds `assessment` into the memory, given the gate as read before it, and returns only the pauses that
    /// are new in their episode or due again because the breach worsened.
    mutating func apply(_ assessment: ProtectionAssessment, policy: ProtectionPolicy, gate: SendingControl.State) -> ProtectionAction {
        let findings = assessment.findings
        switch assessment.decision {
        case .none:
            if pausedAll, !allRates.keys.contains(where: { Self.notJudged(findings[Self.scope($0)]) }) {
                pausedAll = false
                allRates = [:]
            }
            endIdentityEpisodes(except: [], findings: findings)
            return .none
        case .pauseAll(let reason):
            identities = []
            identityRates = [:]
            let current = Dictionary(uniqueKeysWithValues: assessment.breaches.map { ($0.key.description, $0.value) })
            guard pausedAll else {
                if gate.paused {
                    // Paused already. By protection (a memory lost, say): this episode's pause counts as applied. By
                    // an operator or SES: not counted, so lifting that pause does not let the breach send on.
                    if gate.source == .protection {
                        pausedAll = true
                        allRates = current
                    }
                    return .none
                }
                pausedAll = true
                allRates = current
                return .pauseAll(reason: reason)
            }
            // Still stopped, or memory kept without rates: the reference follows the worst seen.
            if gate.paused || allRates.isEmpty {
                allRates.merge(current) { $0.merging($1) }
                return .none
            }
            // Overall first, so the reason names the account-wide rate when it is among the worse.
            for (scope, rates) in current.sorted(by: { ($0.key == "overall" ? 0 : 1, $0.key) < ($1.key == "overall" ? 0 : 1, $1.key) }) {
                if let why = policy.worsened(rates, since: allRates[scope]) {
                    allRates.merge(current) { $0.merging($1) }
                    let again = "\(scope) \(why)"
                    return .pauseAll(reason: reason + "; paused again: " + again, again: again)
                }
            }
            return .none
        case .pauseIdentities(let pauses):
            pausedAll = false
            allRates = [:]
            var fresh: [String: String] = [:]
            var again: Set<String> = []
            // Stopped by an operator or SES: a new breach is not applied (nor counted) yet, as for `pauseAll`;
            // lifting that pause lifts identity pauses too, so it is applied at the first evaluation after.
            let deferred = gate.paused && gate.source != .protection
            for pause in pauses {
                let id = pause.identity
                let current = findings[.identity(id)]?.rates ?? BreachRates()
                if !identities.contains(id) {
                    if deferred { continue }
                    identities.insert(id)
                    identityRates[id] = current
                    fresh[id] = pause.reason
                } else if gate.pausedIdentities[id] != nil || identityRates[id] == nil {
                    identityRates[id] = (identityRates[id] ?? current).merging(current)
                } else if let why = policy.worsened(current, since: identityRates[id]) {
                    identityRates[id] = identityRates[id]?.merging(current) ?? current
                    fresh[id] = pause.reason + "; paused again: " + why
                    again.insert(id)
                }
            }
            endIdentityEpisodes(except: Set(pauses.map(\.identity)), findings: findings)
            guard !fresh.isEmpty else { return .none }
            return .pauseIdentities(fresh, again: again)
        }
    }

    /// Ends the episodes of identities outside `breaching` that are judged clear (or gone from the report).
    private mutating func endIdentityEpisodes(except breaching: Set<String>, findings: [AlertScope: ProtectionFinding]) {
        for id in identities where !breaching.contains(id) && !Self.notJudged(findings[.identity(id)]) {
            identities.remove(id)
            identityRates[id] = nil
        }
    }

    private static func notJudged(_ finding: ProtectionFinding?) -> Bool {
        finding?.state == .notJudged
    }

    /// The scope an `allRates` key names.
    private static func scope(_ key: String) -> AlertScope {
        key.hasPrefix("identity:") ? .identity(String(key.dropFirst("identity:".count))) : .overall
    }
}
