import Testing
@testable import SluiceCore

struct AddressValidatorTests {
    static let local64 = String(repeating: "l", count: 64)
    static let label63 = String(repeating: "a", count: 63)

    static let valid: [(String, String)] = [
        ("user@example.com", "user@example.com"),
        ("User.Name+tag@Example.COM", "User.Name+tag@example.com"),
        ("user@bücher.example", "user@xn--bcher-kva.example"),
        ("user@例え.テスト", "user@xn--r8jz45g.xn--zckzah"),
        ("\"john doe\"@example.com", "\"john doe\"@example.com"),
        ("\"a\\\"b\"@example.com", "\"a\\\"b\"@example.com"),
        ("!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~@example.com"),
        ("a@b.co", "a@b.co"),
        ("x@sub-domain.example.co.uk", "x@sub-domain.example.co.uk"),
        ("  user@example.com  ", "user@example.com"),
        // Exactly 254 octets: 64 + 1 + 189.
        ("\(local64)@\(label63).\(label63).\(String(repeating: "c", count: 57)).com",
         "\(local64)@\(label63).\(label63).\(String(repeating: "c", count: 57)).com"),
    ]

    @Test(arguments: valid)
    func accepts(_ input: String, _ output: String) throws {
        #expect(try EmailAddressValidator().validate(input) == output)
    }

    static let invalid: [(String, AddressValidationError.Code)] = [
        ("", .empty),
        ("   ", .empty),
        ("user", .missingAt),
        ("@example.com", .localPartEmpty),
        ("user@", .domainEmpty),
        ("user@example.com\r\nBcc: victim@example.org", .lineBreak),
        ("user@example.com\n", .lineBreak),
        ("us\u{1}er@example.com", .controlCharacter),
        (".user@example.com", .localPartDots),
        ("us..er@example.com", .localPartDots),
        ("user.@example.com", .localPartDots),
        ("us er@example.com", .localPartInvalid),
        ("us(er@example.com", .localPartInvalid),
        ("\"unterminated@example.com", .localPartInvalid),
        ("ü@example.com", .localPartNonASCII),
        ("\(local64)l@example.com", .localPartTooLong),
        ("user@localhost", .domainNotQualified),
        ("user@192.0.2.1", .numericTopLevel),
        ("user@-example.com", .labelHyphen),
        ("user@example-.com", .labelHyphen),
        ("user@exa_mple.com", .labelInvalid),
        ("user@example..com", .labelEmpty),
        ("user@\(label63)a.com", .labelTooLong),
        ("user@\(label63).\(label63).\(label63).\(label63)", .domainTooLong),
        ("user@[192.0.2.1]", .domainLiteral),
        ("user@example.com.", .trailingDot),
        ("Jane <jane@example.com>", .displayName),
        ("user@xn--a.example", .idnaInvalid),
        ("user@ex💩ample.com", .idnaInvalid),
        // Over 63 octets only after Punycode.
        ("user@\(String(repeating: "ü", count: 60)).example", .labelTooLong),
        ("\(local64)@\(label63).\(label63).\(String(repeating: "c", count: 60)).com", .tooLong),
        ("jane@example.com>", .angleBrackets),
    ]

    @Test(arguments: invalid)
    func rejects(_ input: String, _ code: AddressValidationError.Code) {
        let error = #expect(throws: AddressValidationError.self) { try EmailAddressValidator().validate(input) }
        #expect(error?.code == code)
        #expect(error.map { !$0.message.contains(input) || input.isEmpty } == true)
    }

    @Test func displayNameAllowedWhenConfigured() throws {
        let validator = EmailAddressValidator(configuration: EmailAddressValidatorConfiguration(allowDisplayName: true))
        #expect(try validator.validate("\"Jane Doe\" <Jane@Bücher.example>") == "Jane@xn--bcher-kva.example")
        #expect(validator.isValid("Jane <jane@example.com>"))
        #expect(!validator.isValid("Jane <jane@example.com>\r\nBcc: x@example.org"))
    }

    @Test func utf8LocalPartAllowedWhenConfigured() throws {
        let validator = EmailAddressValidator(configuration: EmailAddressValidatorConfiguration(allowUTF8LocalPart: true))
        #expect(try validator.validate("ü@example.com") == "ü@example.com")
    }

    /// What the normaliser refuses (no matching key) is not sendable either, even with UTF-8 allowed.
    @Test(arguments: ["z\u{200B}w@example.com", "bo\u{FEFF}m@example.com", "nb\u{00A0}sp@example.com", "\"nb\u{00A0}sp\"@example.com"])
    func invisibleCharactersInAUTF8LocalPartAreRejected(_ input: String) {
        let validator = EmailAddressValidator(configuration: EmailAddressValidatorConfiguration(allowUTF8LocalPart: true))
        let error = #expect(throws: AddressValidationError.self) { try validator.validate(input) }
        #expect(error?.code == .localPartInvalid)
        #expect(AddressNormalizer().normalize(input) == nil)
    }
}
