import Foundation

/// Tunables of `SuppressionPolicy`; every default follows common ESP practice.
public struct SuppressionPolicyConfiguration: Sendable, Equatable {
    /// Soft bounces within `softBounceWindow`, with no delivery in between, that suppress the address.
    public var softBounceLimit: Int
    /// How long a soft-bounce counting window lasts from its first bounce.
    public var softBounceWindow: TimeInterval
    /// How long a `soft_bounce_limit` suppression lasts from the bounce that triggered it.
    public var softBounceSuppressionDuration: TimeInterval
    /// Transient `bounceSubType`s that say something about the message, not the mailbox: recorded,
    /// never counted toward the limit.
    public var nonCountingSoftBounceSubtypes: Set<String>
    /// Expiry of hard-bounce suppressions; nil keeps them until removed.
    public var hardBounceSuppressionDuration: TimeInterval?
    /// Expiry of complaint suppressions; nil keeps them until removed.
    public var complaintSuppressionDuration: TimeInterval?
    /// Whether a `not-spam` feedback report removes an earlier complaint suppression.
    public var liftComplaintOnNotSpam: Bool

    public init(
        softBounceLimit: Int = 3,
        softBounceWindow: TimeInterval = 7 * 86_400,
        softBounceSuppressionDuration: TimeInterval = 30 * 86_400,
        nonCountingSoftBounceSubtypes: Set<String> = ["ContentRejected", "MessageTooLarge", "AttachmentRejected"],
        hardBounceSuppressionDuration: TimeInterval? = nil,
        complaintSuppressionDuration: TimeInterval? = nil,
        liftComplaintOnNotSpam: Bool = true
    ) {
        self.softBounceLimit = max(1, softBounceLimit)
        self.softBounceWindow = softBounceWindow
        self.softBounceSuppressionDuration = softBounceSuppressionDuration
        self.nonCountingSoftBounceSubtypes = nonCountingSoftBounceSubtypes
        self.hardBounceSuppressionDuration = hardBounceSuppressionDuration
        self.complaintSuppressionDuration = complaintSuppressionDuration
        self.liftComplaintOnNotSpam = liftComplaintOnNotSpam
    }
}
