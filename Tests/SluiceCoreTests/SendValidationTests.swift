import Foundation
import Testing
@testable import SluiceCore

struct SendValidationTests {
    let validator = MessageRequestValidator()

    private func simple(to: [String] = ["r@example.net"]) -> MessageRequest {
        MessageRequest(from: "s@example.com", to: to, subject: "Subject", text: "Body")
    }

    @Test func acceptsSimpleMessageWithIDNDomainsAndKeepsFirstOfDuplicates() throws {
        var request = simple(to: ["a@bücher.example", "A@BÜCHER.example"])
        request.cc = ["c@example.net"]
        request.bcc = ["a@bücher.example"]
        request.replyTo = ["reply@example.com"]
        let message = try validator.validate(request)
        #expect(message.to == ["a@xn--bcher-kva.example"])
        #expect(message.cc == ["c@example.net"])
        #expect(message.bcc.isEmpty)
        #expect(message.recipients.count == 2)
        #expect(message.identity == "example.com")
        #expect(message.replyTo == ["reply@example.com"])
    }

    @Test func displayNameIsKeptQuotedOrEncoded() throws {
        var request = simple()
        request.from = "Shop Team <shop@example.com>"
        #expect(try validator.validate(request).from == "\"Shop Team\" <shop@example.com>")
        request.from = "Zoë <zoe@example.com>"
        let encoded = try validator.validate(request)
        #expect(encoded.from == "=?UTF-8?B?Wm/Dqw==?= <zoe@example.com>")
        #expect(encoded.fromAddress == "zoe@example.com")
    }

    @Test(arguments: [
        (MessageRequest(to: ["r@example.net"], subject: "s", text: "t"), SendValidationError.Code.missingField),
        (MessageRequest(from: "s@example.com", subject: "s", text: "t"), .noRecipients),
        (MessageRequest(from: "s@example.com", to: ["r@example.net\r\nBcc: x@evil.example"], subject: "s", text: "t"), .invalidAddress),
        (MessageRequest(from: "Name <s@example.com>", to: ["Name <r@example.net>"], subject: "s", text: "t"), .invalidAddress),
        (MessageRequest(from: "s@example.com", to: ["r@[127.0.0.1]"], subject: "s", text: "t"), .invalidAddress),
        (MessageRequest(from: "s@example.com", to: ["r@example.net"], subject: "s"), .missingField),
        (MessageRequest(from: "s@example.com", to: ["r@example.net"], subject: "a\r\nb", text: "t"), .invalidContent),
        (MessageRequest(from: "s@example.com", to: ["r@example.net"], subject: "s", text: "t", headers: ["Bad:Name": "v"]), .invalidHeader),
        (MessageRequest(from: "s@example.com", to: ["r@example.net"], subject: "s", text: "t", headers: ["X-A": "v\u{7}"]), .invalidHeader),
        (MessageRequest(from: "s@example.com", to: ["r@example.net"], subject: "s", text: "t", headers: ["reply-to": "x@example.com"]), .invalidHeader),
        (MessageRequest(from: "s@example.com", to: ["r@example.net"], subject: "s", text: "t", tags: ["ok": "bad value"]), .invalidTag),
        (MessageRequest(from: "s@example.com", to: ["r@example.net"], subject: "s", text: "t", configurationSet: "no spaces"), .invalidConfigurationSet),
        (MessageRequest(from: "s@example.com", to: ["r@example.net"], raw: "Zm9v"), .invalidRaw),
        (MessageRequest(from: "s@example.com", to: ["r@example.net"], text: "t", raw: "RnJvbTogYQ0KDQpi"), .invalidContent),
    ])
    func rejects(request: MessageRequest, code: SendValidationError.Code) {
        let error = #expect(throws: SendValidationError.self) { try validator.validate(request) }
        #expect(error?.code == code, "\(String(describing: error))")
    }

    @Test func fiftyRecipientsPassFiftyOneFail() throws {
        let fifty = (0..<50).map { "r\($0)@example.net" }
        #expect(try validator.validate(simple(to: fifty)).recipients.count == 50)
        var request = simple(to: Array(fifty.prefix(30)))
        request.bcc = (0..<21).map { "b\($0)@example.net" }
        let error = #expect(throws: SendValidationError.self) { try validator.validate(request) }
        #expect(error?.code == .tooManyRecipients)
    }

    @Test func sizeLimitFollowsSESFortyMegabytesAfterBase64() throws {
        var request = simple()
        request.text = String(repeating: "a", count: 30 * 1024 * 1024)  // 40 MB once base64-encoded
        let error = #expect(throws: SendValidationError.self) { try validator.validate(request) }
        #expect(error?.code == .tooLarge)
        request.text = String(repeating: "a", count: 29 * 1024 * 1024)
        #expect(try validator.validate(request).text?.utf8.count == 29 * 1024 * 1024)
    }

    @Test func rawNeedsHeadersBlankLineAndBody() throws {
        let mime = Data("From: s@example.com\r\nSubject: x\r\n\r\nbody".utf8)
        let message = try validator.validate(MessageRequest(from: "s@example.com", to: ["r@example.net"], raw: mime.base64EncodedString()))
        #expect(message.raw == mime)
        #expect(message.subject == nil)
    }

    @Test func removingDropsRecipientsFromEveryList() throws {
        var request = simple(to: ["a@example.net", "b@example.net"])
        request.bcc = ["c@example.net"]
        let message = try validator.validate(request).removing(["b@example.net", "c@example.net"])
        #expect(message.recipients == ["a@example.net"])
    }
}

struct SendOutboundJSONTests {
    @Test func handWrittenJSONDecodesToTheSameMessage() throws {
        let full = OutboundMessage(
            from: "\"Quote \\\" Name\" <s@example.com>", fromAddress: "s@example.com", to: ["a@example.net"], cc: ["c@example.net"],
            bcc: ["b@example.net"], replyTo: ["r@example.com"], subject: "Ünïcode\tsubject \u{1}", text: "line1\nline2 </script>",
            html: "<p>&amp;</p>", headers: [.init(name: "List-Unsubscribe", value: "<https://u.example/x?a=1&b=2>")],
            tags: [.init(name: "k", value: "v")], configurationSet: "set-1", raw: Data([0, 1, 2, 255]))
        let minimal = OutboundMessage(from: "s@example.com", fromAddress: "s@example.com", to: ["a@example.net"])
        for message in [full, minimal] {
            #expect(try JSONDecoder().decode(OutboundMessage.self, from: Data(message.jsonBytes())) == message)
        }
    }
}
