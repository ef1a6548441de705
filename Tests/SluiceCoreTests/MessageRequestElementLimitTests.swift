import Foundation
import Testing
@testable import SluiceCore

/// `MessageRequest.parse` stops at the validator's element limits before making any string of a list or map,
/// and at `maxJSONValues` before indexing a flood of tiny values.
struct MessageRequestElementLimitTests {
    private func body(_ fields: String) -> [UInt8] {
        Array(#"{"from":"s@example.com","subject":"s","text":"t",\#(fields)}"#.utf8)
    }

    private func list(_ n: Int) -> String { "[" + (0..<n).map { "\"r\($0)@example.net\"" }.joined(separator: ",") + "]" }
    private func map(_ n: Int) -> String { "{" + (0..<n).map { "\"K\($0)\":\"v\"" }.joined(separator: ",") + "}" }

    @Test(arguments: [("to", 50), ("cc", 50), ("bcc", 50), ("reply_to", 50)])
    func listsStopOnePastTheirLimit(field: String, limit: Int) throws {
        _ = try MessageRequest.parse(body(#""\#(field)":\#(list(limit))"#))
        let error = #expect(throws: JSONReaderError.self) { try MessageRequest.parse(body(#""\#(field)":\#(list(limit + 1))"#)) }
        #expect(error?.code == .tooManyElements)
        #expect(error?.field == field)
        #expect(MessageRequestValidator.elementLimit(of: field) == limit)
    }

    @Test(arguments: [("headers", 15), ("tags", 50)])
    func mapsStopOnePastTheirLimit(field: String, limit: Int) throws {
        _ = try MessageRequest.parse(body(#""to":["a@example.net"],"\#(field)":\#(map(limit))"#))
        let error = #expect(throws: JSONReaderError.self) { try MessageRequest.parse(body(#""\#(field)":\#(map(limit + 1))"#)) }
        #expect(error?.code == .tooManyElements)
        #expect(error?.field == field)
    }

    /// The reader's refusal and the validator's are one error: the same code, field and message.
    @Test(arguments: ["to", "cc", "bcc", "reply_to", "headers", "tags"])
    func validatorGivesTheSameErrorForTooManyElements(field: String) {
        let many = (0...60).map { "r\($0)@example.net" }
        let pairs = Dictionary(uniqueKeysWithValues: (0...60).map { ("K\($0)", "v") })
        var request = MessageRequest(from: "s@example.com", to: ["a@example.net"], subject: "s", text: "t")
        switch field {
        case "to": request.to = many
        case "cc": request.cc = many
        case "bcc": request.bcc = many
        case "reply_to": request.replyTo = many
        case "headers": request.headers = pairs
        default: request.tags = pairs
        }
        let error = #expect(throws: SendValidationError.self) { try MessageRequestValidator().validate(request) }
        let expected = MessageRequestValidator.tooManyElements(in: field)
        #expect(error?.code == expected.code)
        #expect(error?.field == expected.field)
        #expect(error?.message == expected.message)
    }

    @Test func floodOfTinyValuesIsRefusedBeforeItIsIndexed() throws {
        let flood = body(#""to":["a@example.net"],"x":[\#(String(repeating: "0,", count: MessageRequest.maxJSONValues))0]"#)
        let error = #expect(throws: JSONReaderError.self) { try MessageRequest.parse(flood) }
        #expect(error?.code == .tooManyElements)
        #expect(error?.field == nil)
        // The document reader itself has no limit unless asked.
        _ = try JSONDocument(flood)
    }

    @Test func stringsAndStringMapHonourALimit() throws {
        let d = try JSONDocument(Array(#"{"l":["a","b","c"],"m":{"a":"1","b":"2"}}"#.utf8))
        let o = try d.rootObject()
        #expect(try d.strings(o, "l", limit: 3) == ["a", "b", "c"])
        #expect(try d.stringMap(o, "m", limit: 2) == ["a": "1", "b": "2"])
        #expect(throws: JSONReaderError.self) { try d.strings(o, "l", limit: 2) }
        let error = #expect(throws: JSONReaderError.self) { try d.stringMap(o, "m", limit: 1) }
        #expect(error?.field == "m")
    }
}
