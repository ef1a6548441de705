import Foundation

/// What the store knows about an address when an event for it arrives.
public struct RecipientState: Sendable, Equatable {
    /// Suppressions of the address in any scope (active or expired-but-not-purged).
    public var suppressions: [Suppression]
    public var softBounce: SoftBounceState?

    public init(suppressions: [Suppression] = [], softBounce: SoftBounceState? = nil) {
        self.suppressions = suppressions
        self.softBounce = softBounce
    }
}

/// A change to the suppression table decided by the policy.
public enum SuppressionChange: Sendable, Equatable {
    /// Insert, or merge into the existing row with the same (address, scope): the store keeps the
    /// earliest `firstSeen`, adds `count`, and takes reason/detail/lastSeen/source/expiresAt from the new value.
    case upsert(Suppression)
    /// Remove the suppression of `address` in `scope` if its reason is one of `reasons`.
    case remove(address: String, scope: String, reasons: Set<SuppressionReason>)
}

/// A change to the soft-bounce counter.
public enum SoftBounceChange: Sendable, Equatable {
    case set(SoftBounceState)
    case clear(address: String)
}

/// The policy's verdict on one recipient event; the store applies it in the same transaction.
public struct RecipientDecision: Sendable, Equatable {
    public var suppressionChanges: [SuppressionChange]
    public var softBounceChange: SoftBounceChange?
    /// Short machine-readable label kept in the address history (`suppressed:hard_bounce`,
    /// `counted:soft_bounce 2/3`, `unsuppressed:complaint`, `recorded`).
    public var outcome: String

    public init(suppressionChanges: [SuppressionChange] = [], softBounceChange: SoftBounceChange? = nil, outcome: String) {
        self.suppressionChanges = suppressionChanges
        self.softBounceChange = softBounceChange
        self.outcome = outcome
    }
}

/// The parts of an address's stored state a policy reads to decide one event.
public struct RecipientStateNeeds: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let suppressions = RecipientStateNeeds(rawValue: 1 << 0)
    public static let softBounce = RecipientStateNeeds(rawValue: 1 << 1)
    public static let all: RecipientStateNeeds = [.suppressions, .softBounce]
}

/// Pure decision function from an event and the address's current state to the changes to make.
public protocol RecipientEventPolicy: Sendable {
    /// What `decide` reads of the address's state for `event`. The store looks up only that (each part is
    /// an index lookup on the writer, a round trip on PostgreSQL); the parts left out reach `decide` empty.
    /// Default: everything.
    func stateNeeded(for event: RecipientEvent) -> RecipientStateNeeds
    func decide(_ event: RecipientEvent, state: RecipientState) -> RecipientDecision
}

extension RecipientEventPolicy {
    public func stateNeeded(for event: RecipientEvent) -> RecipientStateNeeds { .all }
}
