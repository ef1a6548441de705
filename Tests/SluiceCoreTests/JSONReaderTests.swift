import Foundation
import Testing
@testable import SluiceCore

struct JSONReaderTests {
    private func parse(_ text: String, maxDepth: Int = JSONReader.defaultMaxDepth) throws(JSONReaderError) -> JSONValue {
        try JSONReader(maxDepth: maxDepth).parse(Array(text.utf8))
    }

    private func code(_ bytes: [UInt8]) -> JSONReaderError.Code? {
        do {
            _ = try JSONReader().parse(bytes)
            return nil
        } catch {
            return error.code
        }
    }

    private func code(_ text: String) -> JSONReaderError.Code? { code(Array(text.utf8)) }

    @Test func readsEveryKind() throws {
        let value = try parse(#" {"s":"x","n":-12.5e+3,"t":true,"f":false,"z":null,"a":[1,[],{}],"o":{"k":"v"}} "#)
        let o = try #require(value.objectValue)
        #expect(o.keys == ["s", "n", "t", "f", "z", "a", "o"])
        #expect(o["s"] == .string("x"))
        #expect(o["n"] == .number("-12.5e+3"))
        #expect(o["t"] == .bool(true))
        #expect(o["f"] == .bool(false))
        #expect(o["z"] == .null)
        #expect(o["a"] == .array([.number("1"), .array([]), .object(JSONObject())]))
        #expect(o["o"]?.objectValue?["k"] == .string("v"))
        #expect(o["missing"] == nil)
    }

    @Test func topLevelScalarsAndBOM() throws {
        #expect(try parse("\"a\"") == .string("a"))
        #expect(try parse(" 0 ") == .number("0"))
        #expect(try JSONReader().parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == .object(JSONObject()))
        #expect(throws: JSONReaderError.self) { try JSONReader().parseObject(Array("[1]".utf8)) }
    }

    @Test func decodesEscapes() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{08}\u{0C}\n\r\t"))
        #expect(try parse(#""\u0041\u00e9\u20AC""#) == .string("Aé€"))
        #expect(try parse(#""\ud83d\ude00 x""#) == .string("😀 x"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
        // Raw multi-byte UTF-8 next to escapes.
        #expect(try parse("\"é\\n😀\"") == .string("é\n😀"))
    }

    @Test(arguments: [
        #""\ud83d""#, #""\ud83d x""#, #""\ude00""#, #""\ud83d\u0041""#, #""\ud83d\n""#,
        #""\x""#, #""\u12""#, #""\u12G4""#, #""\'""#,
    ])
    func refusesBadEscapes(_ text: String) {
        #expect(code(text) == .invalidEscape)
    }

    @Test func refusesBadUTF8AndControlCharacters() {
        let cases: [[UInt8]] = [
            [0x22, 0xFF, 0x22],  // invalid byte
            [0x22, 0xC3, 0x22],  // truncated sequence
            [0x22, 0xC0, 0xAF, 0x22],  // overlong
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate
            [0x22, 0x5C, 0x6E, 0xFF, 0x22],  // invalid after an escape (slow path)
            [0x22, 0x0A, 0x22],  // raw newline
            [0x22, 0x5C, 0x6E, 0x01, 0x22],  // raw control after an escape
        ]
        for bytes in cases { #expect(code(bytes) == .invalidUTF8, "\(bytes)") }
    }

    @Test(arguments: [
        "", " ", "{", "}", "[", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\"}", "{\"a\" 1}", "{a:1}", "{'a':1}",
        "01", "-", "1.", ".5", "1e", "1e+", "+1", "0x1", "NaN", "Infinity", "tru", "nul", "True",
        "\"abc", "\"abc\\", "{} {}", "[1] x", "{\"a\":1}}", "1 2", "[\"a\" \"b\"]",
    ])
    func refusesSyntaxErrors(_ text: String) {
        #expect(code(text) == .syntax)
    }

    @Test(arguments: ["0", "-0", "1", "-1.5", "0.25", "1e9", "1E-9", "12345678901234567890123", "3.14e+10"])
    func acceptsNumbers(_ text: String) throws {
        #expect(try parse(text) == .number(text))
    }

    @Test func refusesDuplicateKeysAtEveryDepth() {
        #expect(code(#"{"a":1,"a":2}"#) == .duplicateKey)
        #expect(code(#"{"x":{"a":1,"b":2,"a":3}}"#) == .duplicateKey)
        #expect(code(#"[{"a":1,"\u0061":2}]"#) == .duplicateKey)  // same key once decoded
        // Large objects (set-based check) too.
        let many = (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        #expect(code("{\(many)}") == nil)
        #expect(code("{\(many),\"k57\":0}") == .duplicateKey)
    }

    @Test func limitsDepth() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(code(ok) == nil)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(code(deep) == .tooDeep)
        // Hostile: far too deep must fail fast, without exhausting the stack.
        let bomb = String(repeating: "{\"a\":", count: 100_000)
        #expect(code(bomb) == .tooDeep)
        #expect(try parse("[[1]]", maxDepth: 2) == .array([.array([.number("1")])]))
        #expect(throws: JSONReaderError.self) { try parse("[[[1]]]", maxDepth: 2) }
    }

    @Test func typedAccessorsFollowDecodableOptionals() throws {
        let o = try JSONReader().parseObject(Array(#"{"s":"x","n":null,"i":3,"l":["a","b"],"m":["a",1],"b":true,"os":[{"k":"v"}]}"#.utf8))
        #expect(try o.string("s") == "x")
        #expect(try o.string("n") == nil)
        #expect(try o.string("absent") == nil)
        #expect(try o.strings("l") == ["a", "b"])
        #expect(try o.bool("b") == true)
        #expect(try o.objects("os") { (x) throws(JSONReaderError) in try x.string("k") } == ["v"])
        let e1 = #expect(throws: JSONReaderError.self) { try o.string("i") }
        #expect(e1?.code == .typeMismatch)
        #expect(throws: JSONReaderError.self) { try o.strings("m") }
        #expect(throws: JSONReaderError.self) { try o.object("l") }
        #expect(throws: JSONReaderError.self) { try o.bool("s") }
    }

    @Test func agreesWithFoundationOnValidDocuments() throws {
        let texts = [
            #"{"a":"\u00fc\ud834\udd1e","b":[1,2,{"c":"d\\e"}],"e":null}"#,
            #"{"Type":"Notification","Message":"{\"k\":\"v\\n\"}","Subject":null}"#,
        ]
        for text in texts {
            let ours = try parse(text)
            let theirs = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let o = try #require(ours.objectValue)
            #expect(Set(o.keys) == Set(theirs.keys))
            for (key, value) in theirs {
                if let s = value as? String { #expect(o[key] == .string(s)) }
            }
        }
    }

    @Test func errorsCarryOffsetsNotInput() {
        do {
            _ = try JSONReader().parse(Array(#"{"secret-value": tru}"#.utf8))
            Issue.record("expected a failure")
        } catch {
            #expect(error.offset == 17)
            #expect(!error.message.contains("secret"))
        }
    }
}
