import Foundation
import SluiceCore
import SluiceHTTP

/// The `MessageStatus` JSON of the API (openapi.yaml), keys in sorted order.
enum MessageStatusBody {
    static func render(_ queued: QueuedMessage, events: [HistoryEntry]) -> [UInt8] {
        var json = JSONText()
        json.beginObject()
        json.key("attempts"); json.int(queued.attempts)
        json.key("created_at"); json.string(timestamp(queued.createdAt))
        json.key("error"); json.string(queued.error)
        json.key("events"); json.beginArray()
        for entry in events { event(entry, into: &json) }
        json.endArray()
        json.key("id"); json.string(queued.id)
        json.key("next_attempt_at"); json.string(queued.state == .queued ? timestamp(queued.nextAttemptAt) : nil)
        json.key("outbox")
        if let outbox = queued.outbox { json.raw(outbox) } else { json.null() }
        json.key("recipients"); json.strings(queued.message.recipients)
        json.key("ses_message_id"); json.string(queued.sesMessageId)
        json.key("state"); json.string(queued.state.rawValue)
        json.key("suppressed"); dropped(queued.suppressed, into: &json)
        json.key("updated_at"); json.string(timestamp(queued.updatedAt))
        json.endObject()
        return json.bytes
    }

    /// `{"error":{"code","message"},"suppressed":[…]}` for 422.
    static func allSuppressed(_ list: [DroppedRecipient]) -> [UInt8] {
        var json = JSONText()
        json.beginObject()
        json.key("error"); json.beginObject()
        json.key("code"); json.string("all_suppressed")
        json.key("message"); json.string("every recipient is suppressed; nothing was queued")
        json.endObject()
        json.key("suppressed"); dropped(list, into: &json)
        json.endObject()
        return json.bytes
    }

    /// `{"error":{"code","field"?,"message"}}` for 400.
    static func invalid(_ error: SendValidationError) -> [UInt8] {
        var json = JSONText()
        json.beginObject()
        json.key("error"); json.beginObject()
        json.key("code"); json.string(error.code.description)
        if let field = error.field { json.key("field"); json.string(field) }
        json.key("message"); json.string(error.message)
        json.endObject()
        json.endObject()
        return json.bytes
    }

    private static func dropped(_ list: [DroppedRecipient], into json: inout JSONText) {
        json.beginArray()
        for item in list {
            json.beginObject()
            json.key("address"); json.string(item.address)
            json.key("reason"); json.string(item.reason)
            json.endObject()
        }
        json.endArray()
    }

    private static func event(_ entry: HistoryEntry, into json: inout JSONText) {
        json.beginObject()
        json.key("address"); json.string(entry.event.originalAddress)
        json.key("detail"); json.string(entry.event.detail)
        json.key("kind"); json.string(entry.event.kind.rawValue)
        json.key("outcome"); json.string(entry.outcome)
        json.key("recorded_at"); json.string(timestamp(entry.recordedAt))
        json.key("ses_message_id"); json.string(entry.event.sesMessageId)
        json.key("source"); json.string(entry.source)
        json.key("subtype"); json.string(entry.event.subtype)
        json.key("timestamp"); json.string(timestamp(entry.event.timestamp))
        json.endObject()
    }

    /// RFC 3339 UTC with milliseconds, as `Date.ISO8601FormatStyle(includingFractionalSeconds: true)`
    /// writes it (that style cost microseconds per call, three calls per accepted message).
    static func timestamp(_ date: Date) -> String {
        UTCTimestamp.format(secondsSince1970: date.timeIntervalSince1970)
    }
}
