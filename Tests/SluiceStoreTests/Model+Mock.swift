import Foundation
import SluiceCore

/// A fixed, whole-second instant so stored millisecond dates compare equal.
let referenceDate = Date(timeIntervalSince1970: 1_760_000_000)

extension Suppression {
    static func make(
        address: String = "user@example.com", scope: String = "", reason: SuppressionReason = .hardBounce,
        firstSeen: Date = referenceDate, lastSeen: Date? = nil, count: Int = 1, expiresAt: Date? = nil,
        source: String = "operator:test", detail: String? = nil
    ) -> Suppression {
        Suppression(
            address: address, scope: scope, reason: reason, detail: detail, firstSeen: firstSeen, lastSeen: lastSeen,
            count: count, source: source, expiresAt: expiresAt
        )
    }
}

extension InboundMessage {
    static func make(id: String = UUID().uuidString, receivedAt: Date = referenceDate, raw: [UInt8] = [0x78, 0x9C, 0x03, 0x00]) -> InboundMessage {
        InboundMessage(
            messageId: id, type: "Notification", topicArn: "arn:aws:sns:eu-west-1:123456789012:ses-events",
            timestamp: receivedAt, receivedAt: receivedAt, endpoint: "default", rawCompressed: raw
        )
    }
}

extension RecipientEvent {
    static func make(
        _ kind: EventKind, address: String = "user@example.com", at timestamp: Date = referenceDate,
        identity: String = "example.com", subtype: String? = nil, scope: String = ""
    ) -> RecipientEvent {
        RecipientEvent(
            kind: kind, address: address, sesMessageId: "ses-\(UUID().uuidString)", timestamp: timestamp,
            identity: identity, subtype: subtype, scope: scope, rawType: kind.rawValue
        )
    }
}
