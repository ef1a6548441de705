import Testing
@testable import SluiceCore

struct TOMLParserTests {
    @Test func parsesSectionsAndEveryValueKind() throws {
        let doc = try TOMLParser.parse("""
        # comment
        top = "level"
        [http]
        host = "0.0.0.0"   # trailing comment
        port = 8_080
        ratio = 0.25
        enabled = true
        literal = 'C:\\path'
        escaped = "a\\"b\\n\\u00e9"
        list = [
          "a", # first
          "b",
        ]
        empty = []
        """)
        #expect(doc["top"] == .string("level"))
        #expect(doc["http.host"] == .string("0.0.0.0"))
        #expect(doc["http.port"] == .integer(8080))
        #expect(doc["http.ratio"] == .float(0.25))
        #expect(doc["http.enabled"] == .boolean(true))
        #expect(doc["http.literal"] == .string("C:\\path"))
        #expect(doc["http.escaped"] == .string("a\"b\né"))
        #expect(doc["http.list"] == .array([.string("a"), .string("b")]))
        #expect(doc["http.empty"] == .array([]))
    }

    @Test(arguments: [
        ("port = 80\nport = 81", 2, "duplicate key"),
        ("[http.inner]", 1, "nested"),
        ("key = bare", 1, "strings need quotes"),
        ("key = \"open", 1, "unterminated"),
        ("key = 1 2", 1, "unexpected text"),
        ("a.b = 1", 1, "dotted keys"),
        ("key = { x = 1 }", 1, "inline tables"),
        ("\n\nkey = \"\\q\"", 3, "invalid escape"),
        ("[http]\nport = 1\n[sns]\npath = \"/sns\"\n[http]\nhost = \"::1\"", 5, "table [http] is defined twice"),
        ("[http]\n[http]", 2, "defined twice"),
    ])
    func rejectsWithLine(input: String, line: Int, fragment: String) {
        let error = #expect(throws: TOMLError.self) { try TOMLParser.parse(input) }
        #expect(error?.line == line)
        #expect(error?.message.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test func errorsInAValueCarryTheKey() {
        let error = #expect(throws: TOMLError.self) { try TOMLParser.parse("[sns]\nbasic_auth_password = Hunter2SuperSecret") }
        #expect(error?.key == "sns.basic_auth_password")
        #expect(error?.message.contains("Hunter2SuperSecret") == true, "not secret: the value helps")
        let secret = #expect(throws: TOMLError.self) {
            try TOMLParser.parse("[sns]\nbasic_auth_password = Hunter2SuperSecret", isSecret: { $0 == "sns.basic_auth_password" })
        }
        #expect(secret?.key == "sns.basic_auth_password")
        #expect(secret?.line == 2)
        #expect(secret?.message.contains("Hunter2") == false)
        #expect(secret?.message.contains("strings need quotes") == true)
        let inArray = #expect(throws: TOMLError.self) { try TOMLParser.parse("[api]\ntokens = [\"a\", Hunter2]", isSecret: { $0 == "api.tokens" }) }
        #expect(inArray?.description.contains("Hunter2") == false)
    }

    @Test func distinctTablesParse() throws {
        let doc = try TOMLParser.parse("[http]\nport = 1\n[sns]\npath = \"/sns\"\n[ses]\nregion = \"x\"")
        #expect(doc.count == 3)
    }

    @Test func deeplyNestedArraysAreAnErrorNotAStackOverflow() throws {
        // Regression: Tests/Fuzz/Regressions/toml-config/deep-array-nesting.toml crashed the parser.
        let hostile = "a = " + String(repeating: "[", count: 40_000)
        let error = #expect(throws: TOMLError.self) { try TOMLParser.parse(hostile) }
        #expect(error?.message.contains("nested deeper") == true)
        let fine = "a = " + String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(try TOMLParser.parse(fine)["a"] != nil)
    }
}
