import Foundation
import SluiceAWS
import SluiceCore
import SluiceHTTP

/// Builds the SES `SendEmail` input for a queued message, and its JSON record for the outbox.
enum SendRequestMapping {
    static func request(for message: OutboundMessage) -> SESSendEmailRequest {
        let content: SESEmailContent
        if let raw = message.raw {
            content = .raw(Array(raw))
        } else {
            content = .simple(.init(
                subject: .init(message.subject ?? ""), text: message.text.map { .init($0) }, html: message.html.map { .init($0) },
                headers: message.headers.map { .init(name: $0.name, value: $0.value) }))
        }
        return SESSendEmailRequest(
            fromEmailAddress: message.from,
            destination: .init(to: message.to, cc: message.cc, bcc: message.bcc),
            replyToAddresses: message.replyTo, content: content,
            emailTags: message.tags.map { .init(name: $0.name, value: $0.value) },
            configurationSetName: message.configurationSet)
    }

    /// The would-be `SendEmail` call as JSON text (the SES v2 request shape), keys in sorted order.
    /// Written with `JSONText`: `JSONSerialization` and a fresh `ISO8601DateFormatter` per call cost
    /// several hundred microseconds per sent message.
    static func outboxJSON(for request: SESSendEmailRequest, at date: Date) -> String {
        var json = JSONText()
        json.beginObject()
        json.key("method"); json.string("POST")
        json.key("operation"); json.string("SendEmail")
        json.key("path"); json.string("/v2/email/outbound-emails")
        json.key("recorded_at"); json.string(secondsTimestamp(date))
        json.key("request"); requestBody(request, into: &json)
        json.key("transport"); json.string("outbox")
        json.endObject()
        return String(decoding: json.bytes, as: UTF8.self)
    }

    private static func requestBody(_ request: SESSendEmailRequest, into json: inout JSONText) {
        json.beginObject()
        if let set = request.configurationSetName { json.key("ConfigurationSetName"); json.string(set) }
        json.key("Content"); json.beginObject()
        switch request.content {
        case .raw(let bytes):
            json.key("Raw"); json.beginObject()
            json.key("Data"); json.string(Data(bytes).base64EncodedString())
            json.endObject()
        case .simple(let simple):
            json.key("Simple"); json.beginObject()
            json.key("Body"); json.beginObject()
            if let html = simple.html { json.key("Html"); dataObject(html.data, into: &json) }
            if let text = simple.text { json.key("Text"); dataObject(text.data, into: &json) }
            json.endObject()
            if !simple.headers.isEmpty {
                json.key("Headers"); nameValues(simple.headers.map { ($0.name, $0.value) }, into: &json)
            }
            json.key("Subject"); dataObject(simple.subject.data, into: &json)
            json.endObject()
        }
        json.endObject()
        json.key("Destination"); json.beginObject()
        if !request.destination.bcc.isEmpty { json.key("BccAddresses"); json.strings(request.destination.bcc) }
        if !request.destination.cc.isEmpty { json.key("CcAddresses"); json.strings(request.destination.cc) }
        if !request.destination.to.isEmpty { json.key("ToAddresses"); json.strings(request.destination.to) }
        json.endObject()
        if !request.emailTags.isEmpty { json.key("EmailTags"); nameValues(request.emailTags.map { ($0.name, $0.value) }, into: &json) }
        json.key("FromEmailAddress"); json.string(request.fromEmailAddress)
        if !request.replyToAddresses.isEmpty { json.key("ReplyToAddresses"); json.strings(request.replyToAddresses) }
        json.endObject()
    }

    private static func dataObject(_ data: String, into json: inout JSONText) {
        json.beginObject()
        json.key("Data"); json.string(data)
        json.endObject()
    }

    private static func nameValues(_ pairs: [(String, String)], into json: inout JSONText) {
        json.beginArray()
        for (name, value) in pairs {
            json.beginObject()
            json.key("Name"); json.string(name)
            json.key("Value"); json.string(value)
            json.endObject()
        }
        json.endArray()
    }

    /// `ISO8601DateFormatter`'s default form: UTC, whole seconds (`2026-01-02T03:04:05Z`).
    static func secondsTimestamp(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        return String(UTCTimestamp.format(epochMilliseconds: seconds * 1000).prefix(19)) + "Z"
    }
}
