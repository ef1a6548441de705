import Foundation

/// Sluice's default `RecipientEventPolicy`: what a deliverability engineer does with each SES event.
///
/// - Permanent bounce: suppress now (`hard_bounce`, detail = subtype). `UnsubscribedRecipient` is the
///   exception: the mailbox is fine, the contact left a list, so it is suppressed as `unsubscribed` in the
///   list/topic scope the send was tagged with (globally when untagged, to be safe).
/// - Transient bounce: counted; `softBounceLimit` counted bounces inside `softBounceWindow` with no delivery
///   in between suppress for `softBounceSuppressionDuration`. Message-related subtypes are only recorded.
/// - Undetermined bounce: recorded, never suppresses (the reason is unknown).
/// - Complaint: suppress now (`complaint`, detail = feedback type), also for `OnAccountSuppressionList`
///   (SES did not send because an earlier complaint/bounce put it there: the address stays blocked);
///   a `not-spam` report instead lifts an earlier complaint suppression.
/// - Subscription opt-out: suppress as `unsubscribed` in the parsed scope.
/// - Everything else is recorded. A Delivery also clears the soft-bounce counter.
///
/// Decisions use the event's timestamp only. An active suppression in the same scope with a stronger
/// reason (order: manual, hard_bounce, unsubscribed, complaint, ses_account, soft_bounce_limit) is kept when
/// it lasts at least as long as the new one would; otherwise the new reason is written. Either way a
/// suppression never gets shorter (it ends at the later of the two expiries), so a permanent manual entry
/// is never touched, a permanent entry never becomes expiring, and an expiring entry never hides a hard
/// bounce or complaint that outlasts it.
public struct SuppressionPolicy: RecipientEventPolicy {
    public let configuration: SuppressionPolicyConfiguration

    public init(configuration: SuppressionPolicyConfiguration = SuppressionPolicyConfiguration()) {
        self.configuration = configuration
    }

    /// What each rule below reads: a delivery only the soft-bounce counter, a complaint or opt-out only the
    /// suppressions, events that are only recorded nothing (most events are deliveries).
    public func stateNeeded(for event: RecipientEvent) -> RecipientStateNeeds {
        guard !event.address.isEmpty else { return [] }
        switch event.kind {
        case .hardBounce, .softBounce:
            return .all
        case .complaint, .subscription:
            return .suppressions
        case .delivery:
            return .softBounce
        case .undeterminedBounce, .send, .sesSend, .reject, .deliveryDelay, .open, .click, .renderingFailure, .unknown:
            return []
        }
    }

    /// Decides the changes for one recipient event given the address's current state.
    public func decide(_ event: RecipientEvent, state: RecipientState) -> RecipientDecision {
        // Events that name no recipient (e.g. a Rendering Failure) can only be recorded.
        guard !event.address.isEmpty else { return RecipientDecision(outcome: Outcome.recorded) }
        switch event.kind {
        case .hardBounce:
            return hardBounce(event, state: state)
        case .softBounce:
            return softBounce(event, state: state)
        case .undeterminedBounce:
            return RecipientDecision(outcome: "recorded:undetermined_bounce")
        case .complaint:
            return complaint(event, state: state)
        case .delivery:
            return delivery(event, state: state)
        case .subscription:
            return subscription(event, state: state)
        case .send, .sesSend, .reject, .deliveryDelay, .open, .click, .renderingFailure, .unknown:
            return RecipientDecision(outcome: Outcome.recorded)
        }
    }

    private func hardBounce(_ event: RecipientEvent, state: RecipientState) -> RecipientDecision {
        if event.subtype == "UnsubscribedRecipient" {
            let (change, outcome) = suppress(event, .unsubscribed, detail: event.subtype, scope: event.scope, expiresAt: nil, state: state)
            return RecipientDecision(suppressionChanges: change.map { [$0] } ?? [], outcome: outcome)
        }
        let expiresAt = configuration.hardBounceSuppressionDuration.map { event.timestamp.addingTimeInterval($0) }
        let (change, outcome) = suppress(event, .hardBounce, detail: event.subtype, scope: "", expiresAt: expiresAt, state: state)
        // A dead mailbox makes any soft-bounce run moot.
        let counter: SoftBounceChange? = state.softBounce == nil ? nil : .clear(address: event.address)
        return RecipientDecision(suppressionChanges: change.map { [$0] } ?? [], softBounceChange: counter, outcome: outcome)
    }

    private func softBounce(_ event: RecipientEvent, state: RecipientState) -> RecipientDecision {
        let label = Outcome.softBounceLabel(event.subtype)
        if let subtype = event.subtype, configuration.nonCountingSoftBounceSubtypes.contains(subtype) {
            return RecipientDecision(outcome: "recorded:\(label)")
        }
        var count = 1
        var windowStart = event.timestamp
        var lastBounce = event.timestamp
        if let previous = state.softBounce {
            // Notifications arrive unordered: the run spans from its earliest to its latest bounce, and
            // counts on only while that span fits the window (a late, older bounce can stretch it too).
            let start = min(previous.windowStart, event.timestamp), end = max(previous.lastBounce, event.timestamp)
            if end.timeIntervalSince(start) <= configuration.softBounceWindow {
                count = previous.count + 1
                windowStart = start
                lastBounce = end
            } else if event.timestamp < previous.windowStart {
                // Older than a run it cannot join: the run of later bounces stands as it is.
                return RecipientDecision(outcome: "recorded:\(label) before the current run")
            } else if event.timestamp.timeIntervalSince(previous.lastBounce) <= configuration.softBounceWindow {
                // The run's start has left the window but its last bounce has not: the window slides to it. (Bounces
                // between the two are not kept one by one, so they drop out with the start: this errs low.)
                count = 2
                windowStart = previous.lastBounce
            }
        }
        let limit = configuration.softBounceLimit
        guard count >= limit else {
            let counter = SoftBounceState(
                address: event.address, count: count, windowStart: windowStart, lastBounce: lastBounce,
                lastSubtype: event.subtype
            )
            return RecipientDecision(softBounceChange: .set(counter), outcome: "counted:\(label) \(count)/\(limit)")
        }
        let expiresAt = event.timestamp.addingTimeInterval(configuration.softBounceSuppressionDuration)
        let (change, outcome) = suppress(
            event, .softBounceLimit, detail: event.subtype ?? "General", scope: "", expiresAt: expiresAt, state: state
        )
        // The counter restarts from zero once the limit has been acted on.
        return RecipientDecision(
            suppressionChanges: change.map { [$0] } ?? [], softBounceChange: .clear(address: event.address), outcome: outcome
        )
    }

    private func complaint(_ event: RecipientEvent, state: RecipientState) -> RecipientDecision {
        if event.isNotSpamReport {
            guard configuration.liftComplaintOnNotSpam else { return RecipientDecision(outcome: "recorded:not_spam") }
            // Notifications arrive unordered: a report older than the last complaint it would lift (spam
            // reported again since) leaves it.
            let lifted = state.suppressions.contains {
                $0.scope.isEmpty && $0.reason == .complaint && $0.lastSeen <= event.timestamp
            }
            guard lifted else { return RecipientDecision(outcome: "recorded:not_spam") }
            return RecipientDecision(
                suppressionChanges: [.remove(address: event.address, scope: "", reasons: [.complaint])],
                outcome: "unsuppressed:complaint"
            )
        }
        let expiresAt = configuration.complaintSuppressionDuration.map { event.timestamp.addingTimeInterval($0) }
        let (change, outcome) = suppress(
            event, .complaint, detail: event.subtype ?? event.detail, scope: "", expiresAt: expiresAt, state: state
        )
        return RecipientDecision(suppressionChanges: change.map { [$0] } ?? [], outcome: outcome)
    }

    private func delivery(_ event: RecipientEvent, state: RecipientState) -> RecipientDecision {
        // A delivery inside the window breaks the run of consecutive soft bounces.
        guard let counter = state.softBounce, event.timestamp >= counter.windowStart else {
            return RecipientDecision(outcome: Outcome.recorded)
        }
        guard event.timestamp < counter.lastBounce else {
            return RecipientDecision(softBounceChange: .clear(address: event.address), outcome: Outcome.recorded)
        }
        // Notifications arrive unordered: a delivery from inside the run breaks it there, and the run goes on from
        // its last bounce, which came after the delivery (any others after it are not kept one by one).
        let restarted = SoftBounceState(
            address: event.address, count: 1, windowStart: counter.lastBounce, lastBounce: counter.lastBounce,
            lastSubtype: counter.lastSubtype)
        return RecipientDecision(softBounceChange: .set(restarted), outcome: Outcome.recorded)
    }

    private func subscription(_ event: RecipientEvent, state: RecipientState) -> RecipientDecision {
        guard event.subtype == SESEventParser.unsubscribeAllSubtype || event.subtype == SESEventParser.optOutSubtype else {
            return RecipientDecision(outcome: Outcome.recorded)
        }
        let (change, outcome) = suppress(
            event, .unsubscribed, detail: event.detail ?? event.subtype, scope: event.scope, expiresAt: nil, state: state
        )
        return RecipientDecision(suppressionChanges: change.map { [$0] } ?? [], outcome: outcome)
    }

    /// The upsert for a new suppression, or nil with `kept:<reason>` when a stronger one is active that
    /// lasts at least as long.
    private func suppress(
        _ event: RecipientEvent, _ reason: SuppressionReason, detail: String?, scope: String, expiresAt: Date?,
        state: RecipientState
    ) -> (SuppressionChange?, String) {
        var expiresAt = expiresAt
        let existing = state.suppressions.first { $0.scope == scope && $0.isActive(at: event.timestamp) }
        if let existing {
            let later = Self.later(existing.expiresAt, expiresAt)
            // A stronger row that would expire first is replaced, or a hard bounce or complaint behind an
            // expiring manual entry would be lost when it ends (and never pushed to SES).
            if Self.rank(existing.reason) > Self.rank(reason), later == existing.expiresAt {
                return (nil, "kept:\(existing.reason.rawValue)")
            }
            // A suppression never gets shorter: it ends when the later of the two would.
            expiresAt = later
        }
        let suppression = Suppression(
            address: event.address, originalAddress: event.originalAddress, scope: scope, reason: reason,
            detail: detail, firstSeen: event.timestamp, lastSeen: event.timestamp, count: 1,
            source: event.sesMessageId, expiresAt: expiresAt
        )
        return (.upsert(suppression), "suppressed:\(reason.rawValue)")
    }

    /// The later of two expiries, nil (never) being the latest.
    static func later(_ left: Date?, _ right: Date?) -> Date? { Suppression.later(left, right) }

    /// Precedence when two reasons compete for one (address, scope) row (`SuppressionReason.precedence`).
    static func rank(_ reason: SuppressionReason) -> Int { reason.precedence }
}

/// History outcome labels.
enum Outcome {
    static let recorded = "recorded"

    /// `soft_bounce` for General/unknown, else `soft_bounce_<snake_case subtype>` (`soft_bounce_mailbox_full`).
    static func softBounceLabel(_ subtype: String?) -> String {
        guard let subtype, !subtype.isEmpty, subtype != "General" else { return "soft_bounce" }
        var label = "soft_bounce_"
        for (index, character) in subtype.enumerated() {
            if character.isUppercase, index > 0 { label.append("_") }
            if character.isLetter || character.isNumber {
                label.append(contentsOf: character.lowercased())
            } else {
                label.append("_")
            }
        }
        return label
    }
}
