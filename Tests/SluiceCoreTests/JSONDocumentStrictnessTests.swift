import Foundation
import Testing
@testable import SluiceCore

/// What `JSONDocument` accepts and refuses, with which code at which byte, and what it reads: checked
/// against `Tests/Fixtures/json/strictness-outcomes.txt`, recorded from the retired tree reader
/// (`JSONReader`, session 5) on the same inputs, so the strictness the API promised cannot drift.
struct JSONDocumentStrictnessTests {
    /// One input: a stable name, its bytes and the depth limit.
    struct Case {
        var name: String
        var bytes: [UInt8]
        var maxDepth = JSONDocument.defaultMaxDepth
        /// Record a hash of the value instead of its text (long generated inputs).
        var hashed = false
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
        #"{"secret-value": tru}"#,
    ]

    static let rawBytes: [[UInt8]] = [
        [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
        [0x22, 0x5C, 0x6E, 0xFF, 0x22], [0x22, 0x0A, 0x22], [0x22, 0x5C, 0x6E, 0x01, 0x22],
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xF0, 0x8F, 0xBF, 0xBF, 0x22], [0x22, 0xE0, 0x9F, 0xBF, 0x22],
        [0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22], [0x22, 0xEF, 0xBF, 0xBF, 0x22], [0x22, 0xC2, 0x80, 0x22],
        [0x22, 0xC3, 0x5C, 0x6E, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0x80, 0x22], [0x22, 0x7F, 0x22],
        [0xEF, 0xBB, 0xBF, 0x7B, 0x7D], [0xEF, 0xBB, 0x7B, 0x7D], [0x5B, 0xFF, 0x5D],
        // Invalid UTF-8 first, a bad escape later in the same string: the escape error wins.
        [0x22, 0xFF, 0x5C, 0x78, 0x22],
        Array("{\"a\":\"0123456789\u{E9}abc\"}".utf8), Array("\"0123456\u{1F600}89abcdef\"".utf8),
    ]

    /// Every recorded input, in file order.
    static func cases() -> [Case] {
        var cases: [Case] = []
        for (n, text) in table.enumerated() { cases.append(Case(name: "table-\(n)", bytes: Array(text.utf8))) }
        for (n, bytes) in rawBytes.enumerated() { cases.append(Case(name: "bytes-\(n)", bytes: bytes)) }
        let many = (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let limits: [(String, Int)] = [
            (String(repeating: "[", count: 64) + String(repeating: "]", count: 64), 64),
            (String(repeating: "[", count: 65) + String(repeating: "]", count: 65), 64),
            (String(repeating: "{\"a\":", count: 100_000), 64),
            ("[[[1]]]", 2), ("[[1]]", 2),
            ("{\(many)}", 64), ("{\(many),\"k57\":0}", 64), ("{\(many),\"k\\u0035\\u0037\":0}", 64),
            ("{\(many),\"K\":0,\"\u{212A}\":1}", 64),
        ]
        for (n, limit) in limits.enumerated() {
            cases.append(Case(name: "limit-\(n)", bytes: Array(limit.0.utf8), maxDepth: limit.1, hashed: true))
        }
        for (n, bytes) in mutations().enumerated() { cases.append(Case(name: "mutation-\(n)", bytes: bytes, hashed: true)) }
        return cases
    }

    /// Deterministic mutations of valid documents (a fixed LCG, so the file stays valid).
    static func mutations() -> [[UInt8]] {
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
        var result: [[UInt8]] = []
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
            result.append(bytes)
        }
        return result
    }

    /// `ok <value>` (or `ok #<FNV-1a of the value>`) or `error <code> at <offset>`.
    static func outcome(_ c: Case) -> String {
        do {
            let document = try JSONDocument(c.bytes, maxDepth: c.maxDepth)
            return "ok " + shown(document.canonical, hashed: c.hashed)
        } catch {
            return "error \(error.code) at \(error.offset)"
        }
    }

    static func shown(_ canonical: String, hashed: Bool) -> String {
        guard hashed else { return canonical }
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in canonical.utf8 { h = (h ^ UInt64(byte)) &* 0x0100_0000_01B3 }
        return "#" + String(h, radix: 16)
    }

    static var goldenPath: String { AWSFixtures.root + "/json/strictness-outcomes.txt" }

    @Test func matchesTheOutcomesRecordedFromTheTreeReader() throws {
        let lines = try AWSFixtures.text("json/strictness-outcomes.txt").split(separator: "\n").map(String.init)
        let cases = Self.cases()
        try #require(lines.count == cases.count, "the recorded file has \(lines.count) lines for \(cases.count) cases")
        var mismatches = 0
        for (c, line) in zip(cases, lines) {
            let expected = line.split(separator: "\t", maxSplits: 1)
            let got = Self.outcome(c)
            if expected.count != 2 || expected[0] != c.name || expected[1] != got {
                mismatches += 1
                if mismatches <= 10 { Issue.record("\(c.name): expected \(line), got \(got)") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func errorsCarryOffsetsNotInput() {
        let error = #expect(throws: JSONReaderError.self) { try JSONDocument(Array(#"{"secret-value": tru}"#.utf8)) }
        #expect(error?.offset == 17)
        #expect(error?.message.contains("secret") == false)
    }
}
