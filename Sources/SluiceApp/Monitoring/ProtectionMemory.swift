import SluiceCore

/// Which protection pauses the monitor already applied while their condition kept holding.
///
/// A pause is applied once per episode: when an operator resumes while the same breach still holds,
/// the monitor does not pause again. The episode ends (and the memory is cleared) when the policy stops
/// asking for that pause; a later breach then pauses again.
struct ProtectionMemory: Sendable, Equatable, Codable {
    /// The whole gate was paused for the current episode.
    var pausedAll = false
    /// Identities paused in their current episodes.
    var identities: Set<String> = []
}

/// What the monitor must do to the send gate after a protection decision.
enum ProtectionAction: Sendable, Equatable {
    case none
    case pauseAll(reason: String)
    /// Identity → reason, only the identities not already paused in this episode.
    case pauseIdentities([String: String])
}

extension ProtectionMemory {
    /// Folds `decision` into the memory and returns only the pauses that are new in their episode.
    mutating func apply(_ decision: ProtectionDecision) -> ProtectionAction {
        switch decision {
        case .none:
            self = ProtectionMemory()
            return .none
        case .pauseAll(let reason):
            identities = []
            guard !pausedAll else { return .none }
            pausedAll = true
            return .pauseAll(reason: reason)
        case .pauseIdentities(let pauses):
            pausedAll = false
            let fresh = pauses.filter { !identities.contains($0.identity) }
            identities = Set(pauses.map(\.identity))
            guard !fresh.isEmpty else { return .none }
            return .pauseIdentities(Dictionary(fresh.map { ($0.identity, $0.reason) }, uniquingKeysWith: { first, _ in first }))
        }
    }
}
