import Foundation
import SluiceAWS
import SluiceCore

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

    /// The would-be `SendEmail` call as JSON text (the SES v2 request shape).
    static func outboxJSON(for request: SESSendEmailRequest, at date: Date) -> String {
        var body: [String: Any] = ["FromEmailAddress": request.fromEmailAddress]
        var destination: [String: Any] = [:]
        if !request.destination.to.isEmpty { destination["ToAddresses"] = request.destination.to }
        if !request.destination.cc.isEmpty { destination["CcAddresses"] = request.destination.cc }
        if !request.destination.bcc.isEmpty { destination["BccAddresses"] = request.destination.bcc }
        body["Destination"] = destination
        if !request.replyToAddresses.isEmpty { body["ReplyToAddresses"] = request.replyToAddresses }
        if !request.emailTags.isEmpty { body["EmailTags"] = request.emailTags.map { ["Name": $0.name, "Value": $0.value] } }
        if let set = request.configurationSetName { body["ConfigurationSetName"] = set }
        switch request.content {
        case .raw(let bytes):
            body["Content"] = ["Raw": ["Data": Data(bytes).base64EncodedString()]]
        case .simple(let simple):
            var messageBody: [String: Any] = [:]
            if let text = simple.text { messageBody["Text"] = ["Data": text.data] }
            if let html = simple.html { messageBody["Html"] = ["Data": html.data] }
            var simpleObject: [String: Any] = ["Subject": ["Data": simple.subject.data], "Body": messageBody]
            if !simple.headers.isEmpty { simpleObject["Headers"] = simple.headers.map { ["Name": $0.name, "Value": $0.value] } }
            body["Content"] = ["Simple": simpleObject]
        }
        let record: [String: Any] = [
            "transport": "outbox", "operation": "SendEmail", "method": "POST", "path": "/v2/email/outbound-emails",
            "recorded_at": ISO8601DateFormatter().string(from: date), "request": body,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
