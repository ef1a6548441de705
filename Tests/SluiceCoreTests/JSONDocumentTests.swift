import Foundation
import Testing
@testable import SluiceCore

/// What `JSONDocument` reads (values, escapes, limits, typed fields); the full accept/refuse table
/// is `JSONDocumentStrictnessTests`.
struct JSONDocumentTests {
    private func read(_ text: String, maxDepth: Int = JSONDocument.defaultMaxDepth) throws(JSONReaderError) -> String {
        try JSONDocument(Array(text.utf8), maxDepth: maxDepth).canonical
    }

    private func code(_ text: String) -> JSONReaderError.Code? { code(Array(text.utf8)) }

    private func code(_ bytes: [UInt8]) -> JSONReaderError.Code? {
        do {
            _ = try JSONDocument(bytes)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func readsEveryKind() throws {
        let d = try JSONDocument(Array(#" {"s":"x","n":-12.5e+3,"t":true,"f":false,"z":null,"a":[1,[],{}],"o":{"k":"v"}} "#.utf8))
        let o = try d.rootObject()
        #expect(d.members(o).map(\.key) == ["s", "n", "t", "f", "z", "a", "o"])
        #expect(try d.string(o, "s") == "x")
        #expect(d.member(o, "n").flatMap(d.number) == "-12.5e+3")
        #expect(try d.bool(o, "t") == true)
        #expect(try d.bool(o, "f") == false)
        #expect(d.member(o, "z").map(d.kind) == .null)
        #expect(d.member(o, "a").map(d.canonical) == "[1,[],{}]")
        #expect(try d.object(o, "o").map { (x) throws(JSONReaderError) in try d.string(x, "k") } == "v")
        #expect(d.member(o, "missing") == nil)
    }

    @Test func topLevelScalarsAndBOM() throws {
        #expect(try read("\"a\"") == "\"a\"")
        #expect(try read(" 0 ") == "0")
        #expect(try JSONDocument([0xEF, 0xBB, 0xBF] + Array("{}".utf8)).canonical == "{}")
    }

    @Test func decodesEscapes() throws {
        let d = try JSONDocument(Array(#"["a\"b\\c\/d\b\f\n\r\t","\u0041\u00e9\u20AC","\ud83d\ude00 x","\u0000","é\n😀"]"#.utf8))
        #expect(d.elements(d.root).map { d.string($0) } == ["a\"b\\c/d\u{08}\u{0C}\n\r\t", "Aé€", "😀 x", "\u{0}", "é\n😀"])
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
            [0x22, 0x5C, 0x6E, 0xFF, 0x22],  // invalid after an escape
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
    func keepsNumbersAsWritten(_ text: String) throws {
        #expect(try read(text) == text)
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
        #expect(code(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) == nil)
        #expect(code(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)) == .tooDeep)
        // Hostile: far too deep must fail fast, without exhausting the stack.
        #expect(code(String(repeating: "{\"a\":", count: 100_000)) == .tooDeep)
        #expect(try read("[[1]]", maxDepth: 2) == "[[1]]")
        #expect(throws: JSONReaderError.self) { try read("[[[1]]]", maxDepth: 2) }
    }

    @Test func agreesWithFoundationOnValidDocuments() throws {
        let texts = [
            #"{"a":"\u00fc\ud834\udd1e","b":[1,2,{"c":"d\\e"}],"e":null,"n":-1.25e2}"#,
            #"{"Type":"Notification","Message":"{\"k\":\"v\\n\"}","Subject":null}"#,
            "{\"long\":\"0123456789abcdef0123456789abcdef\\t\\\"x\\\"\",\"u\":\"ünï\"}",
        ]
        for text in texts {
            let document = try JSONDocument(Array(text.utf8))
            let root = try document.rootObject()
            let theirs = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(Set(document.members(root).map(\.key)) == Set(theirs.keys))
            for (key, value) in document.members(root) {
                if let s = theirs[key] as? String { #expect(document.string(value) == s) }
                if let n = theirs[key] as? NSNumber, let lexeme = document.number(value) {
                    #expect(Double(lexeme) == n.doubleValue)
                }
            }
        }
    }

    @Test func typedAccessorsFollowDecodableOptionals() throws {
        let text = #"{"s":"x","n":null,"i":3,"l":["a","b"],"m":["a",1],"b":true,"os":[{"k":"v"}],"e":"a\u00e9\n"}"#
        let d = try JSONDocument(Array(text.utf8))
        let o = try d.rootObject()
        #expect(try d.string(o, "s") == "x")
        #expect(try d.string(o, "n") == nil)
        #expect(try d.string(o, "absent") == nil)
        #expect(try d.utf8(o, "e") == Array("aé\n".utf8))
        #expect(try d.strings(o, "l") == ["a", "b"])
        #expect(try d.bool(o, "b") == true)
        #expect(try d.objects(o, "os") { (x) throws(JSONReaderError) in try d.string(x, "k") } == ["v"])
        let e1 = #expect(throws: JSONReaderError.self) { try d.string(o, "i") }
        #expect(e1?.code == .typeMismatch)
        #expect(e1?.field == "i")
        #expect(throws: JSONReaderError.self) { try d.strings(o, "m") }
        #expect(throws: JSONReaderError.self) { try d.object(o, "l") }
        #expect(throws: JSONReaderError.self) { try d.bool(o, "s") }
        #expect(d.count(o) == 8)
        let array = try JSONDocument(Array("[1]".utf8))
        let e2 = #expect(throws: JSONReaderError.self) { try array.rootObject() }
        #expect(e2?.code == .syntax)
    }

    @Test func stringMapsReadObjectsOfStrings() throws {
        let d = try JSONDocument(Array(#"{"h":{"X-A":"1","\u0042":"2"},"n":null,"bad":{"k":"v","j":3},"arr":["x"]}"#.utf8))
        let o = try d.rootObject()
        #expect(try d.stringMap(o, "h") == ["X-A": "1", "B": "2"])
        #expect(try d.stringMap(o, "n") == nil)
        #expect(try d.stringMap(o, "absent") == nil)
        let inner = #expect(throws: JSONReaderError.self) { try d.stringMap(o, "bad") }
        #expect(inner?.code == .typeMismatch)
        #expect(inner?.field == "bad")
        #expect(inner?.message == "field bad is number, expected object of strings")
        let outer = #expect(throws: JSONReaderError.self) { try d.stringMap(o, "arr") }
        #expect(outer?.message == "field arr is array, expected object")
    }

    @Test func memberLookupComparesKeysAsStrings() throws {
        // An escaped key and a non-ASCII key that is canonically equal to an ASCII one are found,
        // as Swift String equality finds them.
        let d = try JSONDocument(Array(#"{"\u0054ype":"a","\u212Aey":"b","plain":"c"}"#.utf8))
        let o = try d.rootObject()
        #expect(try d.string(o, "Type") == "a")
        #expect(try d.string(o, "Key") == "b")
        #expect(try d.string(o, "plain") == "c")
        #expect(try d.string(o, "plai") == nil)
    }

    @Test func utf8ValidatorMatchesTheStandardLibrary() {
        // Every 1-3 byte sequence over interesting bytes, plus a few 4-byte ones.
        let bytes: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        var inputs: [[UInt8]] = []
        for a in bytes {
            inputs.append([a])
            for b in bytes {
                inputs.append([a, b])
                for c in bytes { inputs.append([a, b, c]) }
            }
        }
        inputs += [[0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF1, 0x80, 0x80, 0x7F]]
        for input in inputs {
            let ours = input.withUnsafeBufferPointer { UTF8Check.isValid($0) }
            #expect(ours == (String(validating: input, as: UTF8.self) != nil), "\(input)")
        }
    }
}
