import Foundation
import SluiceCore

/// A small stand-in for the real policy: hard bounce and complaint suppress, three soft bounces suppress for
/// 14 days, a delivery clears the soft-bounce counter, and an event for `poison@example.com` asks for an
/// invalid change (so its job fails after writing).
struct TestPolicy: RecipientEventPolicy {
    static let poisonAddress = "poison@example.com"
    static let softBounceLimit = 3

    func decide(_ event: RecipientEvent, state: RecipientState) -> RecipientDecision {
        if event.address == Self.poisonAddress {
            return RecipientDecision(suppressionChanges: [.upsert(.make(address: ""))], outcome: "poison")
        }
        switch event.kind {
        case .hardBounce:
            return RecipientDecision(suppressionChanges: [.upsert(suppression(for: event, reason: .hardBounce))], outcome: "suppressed:hard_bounce")
        case .complaint:
            return RecipientDecision(suppressionChanges: [.upsert(suppression(for: event, reason: .complaint))], outcome: "suppressed:complaint")
        case .softBounce:
            let count = (state.softBounce?.count ?? 0) + 1
            if count >= Self.softBounceLimit {
                var suppression = suppression(for: event, reason: .softBounceLimit)
                suppression.expiresAt = event.timestamp.addingTimeInterval(14 * 86_400)
                return RecipientDecision(suppressionChanges: [.upsert(suppression)], softBounceChange: .clear(address: event.address), outcome: "suppressed:soft_bounce_limit")
            }
            let soft = SoftBounceState(address: event.address, count: count, windowStart: state.softBounce?.windowStart ?? event.timestamp, lastBounce: event.timestamp, lastSubtype: event.subtype)
            return RecipientDecision(softBounceChange: .set(soft), outcome: "counted:soft_bounce \(count)/\(Self.softBounceLimit)")
        case .delivery:
            return RecipientDecision(softBounceChange: state.softBounce == nil ? nil : .clear(address: event.address), outcome: "recorded")
        case .subscription:
            return RecipientDecision(suppressionChanges: [.remove(address: event.address, scope: event.scope, reasons: [.unsubscribed])], outcome: "unsuppressed:unsubscribed")
        default:
            return RecipientDecision(outcome: "recorded")
        }
    }

    private func suppression(for event: RecipientEvent, reason: SuppressionReason) -> Suppression {
        Suppression(
            address: event.address, originalAddress: event.originalAddress, scope: event.scope, reason: reason,
            detail: event.subtype, firstSeen: event.timestamp, source: event.sesMessageId
        )
    }
}
