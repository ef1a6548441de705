import Foundation
import Testing
@testable import SluiceCore

struct MessageRequestJSONTests {
    private func parse(_ text: String) throws(JSONReaderError) -> MessageRequest {
        try MessageRequest.parse(Array(text.utf8))
    }

    @Test func readsTheSameAsDecodable() throws {
        let texts = [
            #"{"from":"s@example.com","to":["a@example.net"],"cc":null,"subject":"Hi","text":"t","html":"<b>x</b>","headers":{"List-Unsubscribe":"<mailto:u@example.com>"},"tags":{"campaign":"c1"},"configuration_set":"cs","reply_to":["r@example.com"],"unknown":{"x":[1,2]}}"#,
            #"{"from":"s@example.com","bcc":["b@example.net"],"raw":"TUlNRQ=="}"#,
            #"{"from":"s@example.com","to":["a@example.net"],"subject":"Hi","text":"t","bulk":true,"list":"news/weekly"}"#,
            #"{"bulk":false,"list":null}"#,
            "{}",
        ]
        for text in texts {
            let ours = try parse(text)
            let theirs = try JSONDecoder().decode(MessageRequest.self, from: Data(text.utf8))
            #expect(ours == theirs)
        }
        // Every field the Decodable conformance knows must be read by the hand-written reader too.
        let all = try parse(texts[2])
        #expect(all.bulk == true && all.list == "news/weekly")
    }

    @Test(arguments: [
        (#"{"to":"a@example.net"}"#, "to"),
        (#"{"to":["a@example.net",1]}"#, "to"),
        (#"{"subject":5}"#, "subject"),
        (#"{"headers":{"X":1}}"#, "headers"),
        (#"{"headers":["X"]}"#, "headers"),
        (#"{"tags":{"k":null}}"#, "tags"),
    ])
    func wrongTypesNameTheField(text: String, field: String) {
        let error = #expect(throws: JSONReaderError.self) { try parse(text) }
        #expect(error?.code == .typeMismatch)
        #expect(error?.field == field)
    }

    @Test func refusesNonObjectsAndRepeatedKeys() {
        #expect(throws: JSONReaderError.self) { try parse("[1,2") }
        #expect(throws: JSONReaderError.self) { try parse("[]") }
        let repeated = #expect(throws: JSONReaderError.self) { try parse(#"{"to":["a@example.net"],"to":["b@example.net"]}"#) }
        #expect(repeated?.code == .duplicateKey)
    }
}
