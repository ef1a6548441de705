import Foundation
import Testing
@testable import SluiceCore

/// The hand-written accept-path pieces agree with the Foundation code they replaced.
struct SendHotPathTests {
    static let samples: [String] = [
        "", "plain", "a@b.example", "quote \" and backslash \\", "tab\tnew\nline\rcr", "\u{0}\u{1}\u{1F}\u{7F}",
        "<script>&amp;</script>", "Ünïcode ✓ 😀", "slash / and \\/", String(repeating: "x\"", count: 300),
        String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) }),
    ]

    @Test(arguments: [false, true])
    func jsonStringsReadBackUnchanged(escapingHTML: Bool) throws {
        for sample in Self.samples {
            var out: [UInt8] = [UInt8(ascii: "[")]
            JSONBytes.string(sample, into: &out, escapingHTML: escapingHTML)
            out.append(UInt8(ascii: "]"))
            let back = try #require(try JSONSerialization.jsonObject(with: Data(out)) as? [String])
            #expect(back == [sample])
            // Only printable bytes other than the escaped ones appear raw.
            #expect(!out.contains { $0 < 0x20 || $0 == 0x7F })
            if escapingHTML { #expect(!out.contains { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "&") }) }
        }
    }

    @Test func jsonStringsWithoutEscapesAreCopiedAsIs() {
        var out: [UInt8] = []
        JSONBytes.string("u1-42@bench.example <x> & y", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"u1-42@bench.example <x> & y\"")
        out.removeAll()
        JSONBytes.string("a\"b\\c\u{1}", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\"b\\c\u0001""#)
    }

    @Test func suppressedListEncodingDecodesLikeJSONEncoder() throws {
        #expect(try QueuePayloadCoding.encode([DroppedRecipient]()) == Array("[]".utf8))
        let list = Self.samples.enumerated().map { DroppedRecipient(address: "s\($0.offset)@x.example \($0.element)", reason: $0.element) }
        for value in [list, Array(list.prefix(1)), []] {
            let ours = try QueuePayloadCoding.encode(value)
            #expect(try QueuePayloadCoding.decode([DroppedRecipient].self, ours) == value)
            let foundation = try JSONDecoder().decode([DroppedRecipient].self, from: JSONEncoder().encode(value))
            #expect(try JSONDecoder().decode([DroppedRecipient].self, from: Data(ours)) == foundation)
        }
        // Same keys as the synthesized Codable form.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(QueuePayloadCoding.encode([DroppedRecipient(address: "a@b.example", reason: "hard_bounce")]))) as? [[String: String]])
        #expect(object == [["address": "a@b.example", "reason": "hard_bounce"]])
    }

    /// The From display-name handling before the byte-level path (Foundation trimming and replacing).
    static func referenceFrom(_ text: String, address: String) -> String {
        guard let open = text.lastIndex(of: "<") else { return address }
        var name = text[..<open].trimmingCharacters(in: .whitespaces)
        if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
        guard !name.isEmpty else { return address }
        return DisplayName.encode(name) + " <" + address + ">"
    }

    @Test(arguments: [
        "Bench <bench@sender.example>", "  Shop Team\t <shop@example.com>", "\"Quoted, Name\" <q@example.com>",
        "\"\" <e@example.com>", "'single' <s@example.com>", "   <sp@example.com>", "<bare@example.com>", "bare@example.com",
        "\"Back\\\\slash \\\"q\\\"\" <b@example.com>", "Ctl\u{1}\u{7F}Name <c@example.com>", "Zoë <zoe@example.com>",
        "\u{00A0}Nbsp <n@example.com>", "\"Zoë\" <zoe@example.com>", "a\\b <ab@example.com>", "x <Mixed@Bücher.Example>",
    ])
    func fromHeaderMatchesTheFoundationPath(from: String) throws {
        let validator = MessageRequestValidator()
        let message = try validator.validate(MessageRequest(from: from, to: ["r@example.net"], subject: "s", text: "t"))
        #expect(message.from == Self.referenceFrom(from, address: message.fromAddress))
    }

    @Test func randomASCIIDisplayNamesMatchTheFoundationPath() throws {
        let validator = MessageRequestValidator()
        let alphabet = Array(" \t\"\\<>,.;:@()'aZ09~\u{1}\u{7F}x")
        var state: UInt64 = 0x5EED
        var compared = 0
        for _ in 0..<2000 {
            var name = ""
            state = state &* 6364136223846793005 &+ 1442695040888963407
            for _ in 0..<Int(state >> 60) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                name.append(alphabet[Int((state >> 33) % UInt64(alphabet.count))])
            }
            let from = name + " <s@example.com>"
            guard let message = try? validator.validate(MessageRequest(from: from, to: ["r@example.net"], subject: "s", text: "t")) else { continue }
            #expect(message.from == Self.referenceFrom(from, address: message.fromAddress), "\(from.debugDescription)")
            compared += 1
        }
        // Enough of the inputs are valid From values for the comparison to mean something.
        #expect(compared > 300)
    }
}
