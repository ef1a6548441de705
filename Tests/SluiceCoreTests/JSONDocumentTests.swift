import Foundation
import Testing
@testable import SluiceCore

/// `JSONDocument` must accept and refuse exactly what `JSONReader` does, with the same error codes
/// and, once accepted, the same values.
struct JSONDocumentTests {
    /// The reader's outcome and the document's, as (code or nil, value or nil).
    private static func both(_ bytes: [UInt8], maxDepth: Int = JSONReader.defaultMaxDepth)
        -> (old: Result<JSONValue, JSONReaderError>, new: Result<JSONValue, JSONReaderError>)
    {
        let old: Result<JSONValue, JSONReaderError>
        do { old = .success(try JSONReader(maxDepth: maxDepth).parse(bytes)) } catch { old = .failure(error) }
        let new: Result<JSONValue, JSONReaderError>
        do {
            let document = try JSONDocument(bytes, maxDepth: maxDepth)
            new = .success(document.value(document.root))
        } catch {
            new = .failure(error)
        }
        return (old, new)
    }

    private static func expectSame(_ bytes: [UInt8], maxDepth: Int = JSONReader.defaultMaxDepth, sourceLocation: SourceLocation = #_sourceLocation) {
        let (old, new) = both(bytes, maxDepth: maxDepth)
        switch (old, new) {
        case let (.success(a), .success(b)):
            #expect(a == b, "values differ for \(bytes)", sourceLocation: sourceLocation)
        case let (.failure(a), .failure(b)):
            #expect(a.code == b.code, "codes differ for \(bytes): \(a) vs \(b)", sourceLocation: sourceLocation)
            #expect(a.offset == b.offset, "offsets differ for \(bytes): \(a) vs \(b)", sourceLocation: sourceLocation)
        default:
            Issue.record("outcomes differ for \(bytes): \(old) vs \(new)", sourceLocation: sourceLocation)
        }
    }

    static let table: [String] = [
        // Kinds, whitespace, BOM-less scalars.
        #" {"s":"x","n":-12.5e+3,"t":true,"f":false,"z":null,"a":[1,[],{}],"o":{"k":"v"}} "#,
        #""a""#, " 0 ", "[]", "{}", "[[[]]]", "\t\r\n[1 , 2]\n",
        // Escapes and surrogates.
        #""a\"b\\c\/d\b\f\n\r\t""#, #""\u0041\u00e9\u20AC""#, #""\ud83d\ude00 x""#, #""\u0000""#,
        "\"é\\n😀\"", #""\uD83D\uDE00\uDBFF\uDFFF""#, #""\ud83d""#, #""\ud83d x""#, #""\ude00""#,
        #""\ud83d\u0041""#, #""\ud83d\n""#, #""\x""#, #""\u12""#, #""\u12G4""#, #""\'""#, #""\u""#,
        #""abc\"#, #""\ud83d\ud83d""#, #""\ud83d\"#,
        // Long strings (the eight-byte scanner) with specials at every position.
        #""0123456789abcdef0123456789abcdef""#, #""0123456\"89abcdef01234567\\9abcdef""#,
        "\"0123456789abc\u{1}ef\"", "\"0123456789abcdéf0123456789abcdef\"",
        #""0123456789abcdef\u00e90123456789abcdef\n0123""#,
        // Numbers.
        "0", "-0", "1", "-1.5", "0.25", "1e9", "1E-9", "12345678901234567890123", "3.14e+10",
        "01", "-", "1.", ".5", "1e", "1e+", "+1", "0x1", "-a", "1.e3", "[1.5e-3,-0.0,2E+2]",
        // Syntax.
        "", " ", "{", "}", "[", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\"}", "{\"a\" 1}", "{a:1}", "{'a':1}",
        "NaN", "Infinity", "tru", "nul", "True", "\"abc", "\"abc\\", "{} {}", "[1] x", "{\"a\":1}}", "1 2",
        "[\"a\" \"b\"]", "{\"a\":}", "{\"a\"::1}", "[1 2]", "{,}", "nulll", "[true false]",
        // Duplicate keys, also once decoded and under canonical equivalence (Swift String ==).
        #"{"a":1,"a":2}"#, #"{"x":{"a":1,"b":2,"a":3}}"#, #"[{"a":1,"\u0061":2}]"#, #"{"a":1,"b":{"a":2}}"#,
        "{\"\u{E9}\":1,\"e\u{301}\":2}", #"{"K":1,"\u212A":2}"#, "{\"K\":1,\"\u{212A}\":2}", #"{"ab":1,"a":2,"b":3}"#,
    ]

    @Test(arguments: table)
    func agreesWithJSONReader(_ text: String) {
        Self.expectSame(Array(text.utf8))
    }

    @Test func agreesOnInvalidUTF8AndControlBytes() {
        let cases: [[UInt8]] = [
            [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
            [0x22, 0x5C, 0x6E, 0xFF, 0x22], [0x22, 0x0A, 0x22], [0x22, 0x5C, 0x6E, 0x01, 0x22],
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xF0, 0x8F, 0xBF, 0xBF, 0x22], [0x22, 0xE0, 0x9F, 0xBF, 0x22],
            [0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22], [0x22, 0xEF, 0xBF, 0xBF, 0x22], [0x22, 0xC2, 0x80, 0x22],
            [0x22, 0xC3, 0x5C, 0x6E, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0x80, 0x22], [0x22, 0x7F, 0x22],
            [0xEF, 0xBB, 0xBF, 0x7B, 0x7D], [0xEF, 0xBB, 0x7B, 0x7D], [0x5B, 0xFF, 0x5D],
            // Invalid UTF-8 first, a bad escape later in the same string: the escape error wins in both.
            [0x22, 0xFF, 0x5C, 0x78, 0x22],
            Array("{\"a\":\"0123456789\u{E9}abc\"}".utf8), Array("\"0123456\u{1F600}89abcdef\"".utf8),
        ]
        for bytes in cases { Self.expectSame(bytes) }
    }

    @Test func agreesOnDepthLimitsAndLargeObjects() {
        Self.expectSame(Array((String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).utf8))
        Self.expectSame(Array((String(repeating: "[", count: 65) + String(repeating: "]", count: 65)).utf8))
        Self.expectSame(Array(String(repeating: "{\"a\":", count: 100_000).utf8))
        Self.expectSame(Array("[[[1]]]".utf8), maxDepth: 2)
        Self.expectSame(Array("[[1]]".utf8), maxDepth: 2)
        let many = (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        Self.expectSame(Array("{\(many)}".utf8))
        Self.expectSame(Array("{\(many),\"k57\":0}".utf8))
        Self.expectSame(Array("{\(many),\"k\\u0035\\u0037\":0}".utf8))
        Self.expectSame(Array("{\(many),\"K\":0,\"\u{212A}\":1}".utf8))
    }

    /// Deterministic mutations of valid documents (bounded): every outcome must match the reader's.
    @Test func agreesWithJSONReaderOnMutations() {
        let seeds = [
            #"{"Type":"Notification","Message":"{\"a\":[1,2.5e3,\"\\u00e9\\ud83d\\ude00\"],\"b\":null}","K":true}"#,
            #"[{"a":"0123456789abcdef\n","b":-0.5,"c":[false,{}]},"\u20ac\u0041"]"#,
            "{\"é\":\"ünïcødé 😀 0123456789\",\"x\":[\"\\\\\",\"\\/\"]}",
        ].map { Array($0.utf8) }
        let alphabet: [UInt8] = Array(#"{}[]":,\/"ubnrt0123456789-+.eEaAfFdD "#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xF0, 0xFF]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for round in 0..<3000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0...next(3) {
                let at = next(bytes.count)
                switch next(3) {
                case 0: bytes[at] = alphabet[next(alphabet.count)]
                case 1: bytes.insert(alphabet[next(alphabet.count)], at: at)
                default: bytes.remove(at: at)
                }
            }
            Self.expectSame(bytes)
        }
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

    @Test func typedAccessorsFollowJSONObjectSemantics() throws {
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

    @Test func memberLookupComparesKeysAsStrings() throws {
        // An escaped key and a non-ASCII key that is canonically equal to an ASCII one are found,
        // as `JSONObject`'s String subscript finds them.
        let d = try JSONDocument(Array(#"{"\u0054ype":"a","\u212Aey":"b","plain":"c"}"#.utf8))
        let o = try d.rootObject()
        #expect(try d.string(o, "Type") == "a")
        #expect(try d.string(o, "Key") == "b")
        #expect(try d.string(o, "plain") == "c")
        #expect(try d.string(o, "plai") == nil)
        let old = try JSONReader().parseObject(Array(#"{"\u212Aey":"b"}"#.utf8))
        #expect(old["Key"] == .string("b"))
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
