import Testing
@testable import SluiceCore

struct AddressNormalizerTests {
    static let normalized: [(String, String, String)] = [
        // (input, normalized, original)
        ("Jane@Example.COM", "jane@example.com", "Jane@Example.COM"),
        ("  \"Jane Doe\" <Jane@Example.COM>  ", "jane@example.com", "Jane@Example.COM"),
        ("\"Doe, Jane <boss>\" <Jane@Example.COM>", "jane@example.com", "Jane@Example.COM"),
        ("<a@b.example>", "a@b.example", "a@b.example"),
        ("Jane Doe <jane@example.com>\r\n", "jane@example.com", "jane@example.com"),
        ("user@bücher.example", "user@xn--bcher-kva.example", "user@bücher.example"),
        ("user@BÜCHER.Example", "user@xn--bcher-kva.example", "user@BÜCHER.Example"),
        ("user@xn--bcher-kva.example", "user@xn--bcher-kva.example", "user@xn--bcher-kva.example"),
        ("user@XN--BCHER-KVA.EXAMPLE", "user@xn--bcher-kva.example", "user@XN--BCHER-KVA.EXAMPLE"),
        ("user@bücher。example", "user@xn--bcher-kva.example", "user@bücher。example"),
        ("user@münchen.de", "user@xn--mnchen-3ya.de", "user@münchen.de"),
        ("user@例え.テスト", "user@xn--r8jz45g.xn--zckzah", "user@例え.テスト"),
        // NFD input (u + combining diaeresis) maps to the same key as NFC.
        ("user@bu\u{0308}cher.example", "user@xn--bcher-kva.example", "user@bu\u{0308}cher.example"),
        ("user@example.com.", "user@example.com", "user@example.com."),
        ("\"john\"@example.com", "john@example.com", "\"john\"@example.com"),
        ("\"John Doe\"@example.com", "\"john doe\"@example.com", "\"John Doe\"@example.com"),
        ("Ünïcode@Example.com", "ünïcode@example.com", "Ünïcode@Example.com"),
        ("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"),
        ("TEST@smtp_user", "test@smtp_user", "TEST@smtp_user"),
    ]

    @Test(arguments: normalized)
    func normalizes(_ input: String, _ key: String, _ original: String) throws {
        let address = try #require(AddressNormalizer().normalize(input))
        #expect(address.normalized == key)
        #expect(address.original == original)
        #expect(AddressNormalizer().normalizedKey(input) == key)
    }

    static let rejected: [String] = [
        "", "   ", "no-at-sign", "@example.com", "user@", "a b@example.com", "user@exa mple.com",
        "user@example..com", "user@.example.com", "user@[192.0.2.1]", "Jane <jane@example.com", "jane@example.com>",
        "user@xn--a.example", "user@ex!ample.com", "user@\(String(repeating: "a", count: 64)).com",
        "a\r\nb@example.com", "us\u{0}er@example.com", "user@ex💩ample.com", "user@xn--bcher-kvA-.example",
        "(comment)user@example.com", "\"unterminated@example.com",
        String(repeating: "a", count: 3000) + "@example.com",
    ]

    @Test(arguments: rejected)
    func rejects(_ input: String) {
        #expect(AddressNormalizer().normalize(input) == nil)
        #expect(AddressNormalizer().normalizedKey(input) == nil)
    }

    /// Invisible characters: white space at the ends is trimmed, and inside a local part any control,
    /// format or separator code point is refused (it would make a key that never matches its look-alike).
    static let invisible: [(String, String?)] = [
        ("\u{00A0}nbsp@example.com", "nbsp@example.com"),
        ("nbsp@example.com\u{00A0}", "nbsp@example.com"),
        ("\u{3000}\u{2003} wide@example.com\u{2028}", "wide@example.com"),
        ("\u{00A0}\"Jane\" <jane@example.com>\u{00A0}", "jane@example.com"),
        ("\u{FEFF}bom3@example.com", nil),
        ("bo\u{FEFF}m3@example.com", nil),
        ("\u{200B}zw@example.com", nil),
        ("z\u{200B}w@example.com", nil),
        ("nb\u{00A0}sp@example.com", nil),
        ("\"nb\u{00A0}sp\"@example.com", nil),
        ("ne\u{0085}l@example.com", nil),
        ("j\u{00F6}rg\u{200D}@example.com", nil),
    ]

    @Test(arguments: invisible)
    func invisibleCharacters(_ input: String, _ key: String?) {
        #expect(AddressNormalizer().normalize(input)?.normalized == key)
        #expect(AddressNormalizer().normalizedKey(input) == key)
    }

    /// Canonically equivalent local parts (precomposed or combining marks) are one key: NFC, then lower case.
    static let composed: [(String, String)] = [
        ("J\u{00F6}rg@b\u{00FC}cher.example", "j\u{00F6}rg@xn--bcher-kva.example"),
        ("Jo\u{0308}rg@bu\u{0308}cher.example", "j\u{00F6}rg@xn--bcher-kva.example"),
        ("JO\u{0308}RG@example.com", "j\u{00F6}rg@example.com"),
        ("\"Jo\u{0308}rg Doe\"@example.com", "\"j\u{00F6}rg doe\"@example.com"),
        ("A\u{030A}sa@example.com", "\u{00E5}sa@example.com"),
    ]

    @Test(arguments: composed)
    func composesUnicodeLocalParts(_ input: String, _ key: String) {
        #expect(AddressNormalizer().normalize(input)?.normalized == key)
        #expect(AddressNormalizer().normalizedKey(input) == key)
    }

    @Test func composesWhenCaseIsKept() throws {
        let normalizer = AddressNormalizer(configuration: AddressNormalizerConfiguration(caseInsensitiveLocalPart: false))
        #expect(try #require(normalizer.normalize("Jo\u{0308}rg@example.com")).normalized == "J\u{00F6}rg@example.com")
    }

    /// NFC maps U+037E GREEK QUESTION MARK to ';', which only a quoted local part may hold: the key is quoted,
    /// so it normalises to itself (found by the address fuzzer: Regressions/address/greek-question-mark-…).
    @Test func aSpecialMadeByCompositionIsQuoted() throws {
        let key = try #require(AddressNormalizer().normalize("n-\u{037E}\u{00E9}@example.com")).normalized
        #expect(key == "\"n-;\u{00E9}\"@example.com")
        #expect(AddressNormalizer().normalize(key)?.normalized == key)
    }

    @Test func keepsLocalPartCaseWhenConfigured() throws {
        let normalizer = AddressNormalizer(configuration: AddressNormalizerConfiguration(caseInsensitiveLocalPart: false))
        #expect(try #require(normalizer.normalize("Jane.Doe@Example.COM")).normalized == "Jane.Doe@example.com")
        #expect(try #require(normalizer.normalize("Ünïcode@Example.com")).normalized == "Ünïcode@example.com")
    }

    @Test func exposesTheDomain() throws {
        #expect(try #require(AddressNormalizer().normalize("a@Bücher.Example")).domain == "xn--bcher-kva.example")
    }

    @Test func quotedAtSignSplitsAtTheLastOne() throws {
        let address = try #require(AddressNormalizer().normalize("\"a@b\"@Example.com"))
        #expect(address.normalized == "\"a@b\"@example.com")
    }
}
