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
