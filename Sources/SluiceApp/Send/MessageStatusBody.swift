import Foundation
import SluiceCore

/// The `MessageStatus` JSON of the API (openapi.yaml).
enum MessageStatusBody {
    static func render(_ queued: QueuedMessage, events: [HistoryEntry]) -> [UInt8] {
        var object: [String: Any] = [
            "id": queued.id, "state": queued.state.rawValue, "attempts": queued.attempts,
            "created_at": timestamp(queued.createdAt), "updated_at": timestamp(queued.updatedAt),
            "recipients": queued.message.recipients,
            "suppressed": queued.suppressed.map { ["address": $0.address, "reason": $0.reason] },
            "events": events.map(event),
            "ses_message_id": queued.sesMessageId ?? NSNull(),
            "error": queued.error ?? NSNull(),
            "next_attempt_at": queued.state == .queued ? timestamp(queued.nextAttemptAt) : NSNull(),
        ]
        if let outbox = queued.outbox, let parsed = try? JSONSerialization.jsonObject(with: Data(outbox.utf8)) {
            object["outbox"] = parsed
        } else {
            object["outbox"] = NSNull()
        }
        return json(object)
    }

    static func event(_ entry: HistoryEntry) -> [String: Any] {
        [
            "kind": entry.event.kind.rawValue, "address": entry.event.originalAddress, "ses_message_id": entry.event.sesMessageId,
            "timestamp": timestamp(entry.event.timestamp), "subtype": entry.event.subtype ?? NSNull(),
            "detail": entry.event.detail ?? NSNull(), "outcome": entry.outcome, "source": entry.source,
            "recorded_at": timestamp(entry.recordedAt),
        ]
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Array(data)
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }
}
