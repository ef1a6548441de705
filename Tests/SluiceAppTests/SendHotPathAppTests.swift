import Foundation
import SluiceAWS
import SluiceCore
import Testing
@testable import SluiceApp

/// The hand-written send-path JSON (outbox records, status bodies) reads back as the Foundation forms did.
struct SendHotPathAppTests {
    /// The outbox record as written before (JSONSerialization, sorted keys, ISO8601DateFormatter).
    static func referenceOutboxJSON(for request: SESSendEmailRequest, at date: Date) -> Data {
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
        return (try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    static let messages: [OutboundMessage] = [
        OutboundMessage(
            from: "\"Shop \\\" Team\" <s@example.com>", fromAddress: "s@example.com", to: ["a@example.net", "b@example.net"],
            cc: ["c@example.net"], bcc: ["d@example.net"], replyTo: ["r@example.com"], subject: "Ünïcode\tsubject </x>",
            text: "line1\nline2 & more", html: "<p>&amp;</p>",
            headers: [.init(name: "List-Unsubscribe", value: "<https://u.example/x?a=1&b=2>"), .init(name: "X-A", value: "1")],
            tags: [.init(name: "campaign", value: "c-1"), .init(name: "k", value: "v")], configurationSet: "set-1"),
        OutboundMessage(from: "s@example.com", fromAddress: "s@example.com", to: ["a@example.net"], subject: "Only text", text: "x"),
        OutboundMessage(from: "s@example.com", fromAddress: "s@example.com", bcc: ["b@example.net"], subject: "Only html", html: "<b>x</b>"),
        OutboundMessage(from: "s@example.com", fromAddress: "s@example.com", to: ["a@example.net"], raw: Data("Subject: x\r\n\r\nbody \u{0}".utf8)),
    ]

    @Test func outboxRecordReadsBackLikeTheFoundationOne() throws {
        let dates = [Date(timeIntervalSince1970: 1_800_000_000.999), Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_764_437_000.5)]
        for (message, date) in zip(Self.messages, dates + [dates[0]]) {
            let request = SendRequestMapping.request(for: message)
            let ours = Data(SendRequestMapping.outboxJSON(for: request, at: date).utf8)
            let normalized = try JSONSerialization.data(
                withJSONObject: JSONSerialization.jsonObject(with: ours), options: [.sortedKeys, .withoutEscapingSlashes])
            let reference = Self.referenceOutboxJSON(for: request, at: date)
            #expect(String(decoding: normalized, as: UTF8.self) == String(decoding: reference, as: UTF8.self))
        }
    }

    @Test func recordedAtIsWholeSecondsUTC() {
        for seconds in [0.0, 59.999, 1_800_000_000.5, 951_782_400, -1.5] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(SendRequestMapping.secondsTimestamp(date) == ISO8601DateFormatter().string(from: date))
        }
    }

    @Test func jsonTextNestsAndSeparates() throws {
        var json = JSONText()
        json.beginObject()
        json.key("a"); json.beginArray()
        json.beginObject(); json.key("x"); json.int(1); json.key("y"); json.null(); json.endObject()
        json.beginArray(); json.endArray()
        json.string("<&>")
        json.endArray()
        json.key("b"); json.beginObject(); json.endObject()
        json.key("c"); json.strings(["p", "q"])
        json.key("d"); json.raw(#"{"r":[1,2]}"#)
        json.endObject()
        let text = String(decoding: json.bytes, as: UTF8.self)
        #expect(text == #"{"a":[{"x":1,"y":null},[],"\u003c\u0026\u003e"],"b":{},"c":["p","q"],"d":{"r":[1,2]}}"#)
    }

    @Test func messageIDsAreTimeOrderedAndDistinct() throws {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let ids = (0..<200).map { MessageID.make(at: base.addingTimeInterval(Double($0 / 4) * 0.01)) }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.hasPrefix("msg_") && id.utf8.count == 36)
            #expect(id.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase })
        }
        #expect(ids[0].dropFirst(4).prefix(12) == "01a3185c5000")
        // Later milliseconds sort later: inserts go to the end of the primary-key index.
        for (earlier, later) in zip(ids.indices, ids.indices.dropFirst(4)) { #expect(ids[earlier] < ids[later]) }
    }
}
