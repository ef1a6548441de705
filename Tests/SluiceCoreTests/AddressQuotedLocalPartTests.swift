import Foundation
import Testing
@testable import SluiceCore

/// A quoted local part that needs no quotes names the mailbox its content names (RFC 5322 §3.4.1): both
/// spellings have one key, so a suppression added in one blocks mail sent in the other.
struct AddressQuotedLocalPartTests {
    /// (quoted, unquoted, key)
    static let sameKey: [(String, String, String)] = [
        ("\"a..b\"@x.example", "a..b@x.example", "a..b@x.example"),
        ("\"a.\"@x.example", "a.@x.example", "a.@x.example"),
        ("\".x\"@x.example", ".x@x.example", ".x@x.example"),
        ("\"Taro..Yamada\"@DoCoMo.ne.jp", "taro..yamada@docomo.ne.jp", "taro..yamada@docomo.ne.jp"),
        ("\"john\"@example.com", "John@example.com", "john@example.com"),
        ("\"a\\b\"@x.example", "ab@x.example", "ab@x.example"),
        ("\"j\u{00F6}rg..x\"@x.example", "Jo\u{0308}rg..x@x.example", "j\u{00F6}rg..x@x.example"),
        ("\"a+tag..\"@x.example", "A+tag..@x.example", "a+tag..@x.example"),
    ]

    @Test(arguments: sameKey)
    func quotedAndUnquotedSpellingsShareAKey(_ quoted: String, _ unquoted: String, _ key: String) throws {
        let normalizer = AddressNormalizer()
        #expect(normalizer.normalize(quoted)?.normalized == key)
        #expect(normalizer.normalizedKey(quoted) == key)
        #expect(normalizer.normalize(unquoted)?.normalized == key)
        #expect(normalizer.normalize(key)?.normalized == key, "the key is a fixed point")
        #expect(normalizer.normalize(quoted)?.original == quoted, "the spelling is kept")
    }

    /// Quotes that are needed stay: a space, comma, `@`, quote or backslash, an empty local part.
    static let needsQuotes: [(String, String)] = [
        ("\"a b\"@x.example", "\"a b\"@x.example"),
        ("\"a,b\"@x.example", "\"a,b\"@x.example"),
        ("\"a@b\"@x.example", "\"a@b\"@x.example"),
        ("\"A..(b)\"@x.example", "\"a..(b)\"@x.example"),
        ("\"a\\\"b\"@x.example", "\"a\\\"b\"@x.example"),
        ("\"a\\\\b\"@x.example", "\"a\\\\b\"@x.example"),
        ("\"\"@x.example", "\"\"@x.example"),
    ]

    @Test(arguments: needsQuotes)
    func quotesThatAreNeededStay(_ input: String, _ key: String) {
        #expect(AddressNormalizer().normalize(input)?.normalized == key)
        #expect(AddressNormalizer().normalize(key)?.normalized == key)
    }

    @Test func caseIsKeptInsideQuotesWhenConfigured() {
        let normalizer = AddressNormalizer(configuration: AddressNormalizerConfiguration(caseInsensitiveLocalPart: false))
        #expect(normalizer.normalize("\"Taro..Yamada\"@docomo.ne.jp")?.normalized == "Taro..Yamada@docomo.ne.jp")
        #expect(normalizer.normalize("Taro..Yamada@docomo.ne.jp")?.normalized == "Taro..Yamada@docomo.ne.jp")
    }

    /// The send API takes only the quoted form of `a..b`; the address it sends has the key of the unquoted one.
    @Test func theSendableQuotedFormHasTheKeyOfTheUnquotedOne() throws {
        let validator = EmailAddressValidator()
        let error = #expect(throws: AddressValidationError.self) { try validator.validate("taro..yamada@docomo.ne.jp") }
        #expect(error?.code == .localPartDots)
        let sendable = try validator.validate("\"taro..yamada\"@docomo.ne.jp")
        #expect(AddressNormalizer().normalizedKey(sendable) == AddressNormalizer().normalizedKey("taro..yamada@docomo.ne.jp"))
    }

    /// Keys stored by earlier builds (quotes kept) and the key this build makes of them.
    static let legacy: [(String, String?)] = [
        ("\"a..b\"@x.example", "a..b@x.example"),
        ("\".x\"@x.example", ".x@x.example"),
        ("\"taro..yamada\"@docomo.ne.jp", "taro..yamada@docomo.ne.jp"),
        ("\"j\u{00F6}rg..x\"@x.example", "j\u{00F6}rg..x@x.example"),
        ("\"a b\"@x.example", nil),
        ("\"a@b\"@x.example", nil),
        ("\"a\\\"b\"@x.example", nil),
        ("\"n-;\u{00E9}\"@example.com", nil),
        ("\"\"@x.example", nil),
        ("a..b@x.example", nil),
        ("\"a..b\"", nil),
    ]

    @Test(arguments: legacy)
    func legacyKeysLoseTheirQuotes(_ key: String, _ current: String?) {
        #expect(AddressNormalizer.unquotedLegacyKey(key) == current)
        if let current {
            #expect(AddressNormalizer().normalize(key)?.normalized == current, "what this build makes of the old key")
        } else if key.hasPrefix("\""), let normalized = AddressNormalizer().normalize(key)?.normalized {
            #expect(normalized == key, "a key that keeps its quotes keeps its value")
        }
    }

    /// Keys handed to SES are valid addr-specs again: a local part that is not a dot-atom is quoted.
    static let addrSpecs: [(String, String)] = [
        ("a..b@x.example", "\"a..b\"@x.example"),
        (".x@x.example", "\".x\"@x.example"),
        ("a.@x.example", "\"a.\"@x.example"),
        ("a.b@x.example", "a.b@x.example"),
        ("\"a b\"@x.example", "\"a b\"@x.example"),
        ("j\u{00F6}rg@x.example", "j\u{00F6}rg@x.example"),
    ]

    @Test(arguments: addrSpecs)
    func addrSpecQuotesWhatSESNeedsQuoted(_ key: String, _ spec: String) throws {
        #expect(AddressNormalizer.addrSpec(ofKey: key) == spec)
        #expect(AddressNormalizer().normalizedKey(spec) == key, "the same mailbox")
        if spec.utf8.allSatisfy({ $0 < 0x80 }) { #expect(EmailAddressValidator().isValid(spec)) }
    }

    /// U+212A KELVIN SIGN lower-cases to ASCII `k`: the label is `kayak`, not an `xn--kayak-` no one can type.
    @Test func aLabelThatMapsToASCIIIsThatLabel() throws {
        #expect(AddressNormalizer().normalize("user@\u{212A}ayak.com")?.normalized == "user@kayak.com")
        #expect(AddressNormalizer().normalize("user@\u{212A}AYAK.\u{212A}ayak.com")?.normalized == "user@kayak.kayak.com")
        #expect(try EmailAddressValidator().validate("user@\u{212A}ayak.com") == "user@kayak.com")
        #expect(DomainNameASCII.convert("\u{212A}ayak.com") == "kayak.com")
        // The A-label of an all-ASCII label is still not one.
        #expect(AddressNormalizer().normalize("user@xn--kayak-.com") == nil)
        // Mixed labels keep their IDNA form.
        #expect(AddressNormalizer().normalize("user@\u{212A}\u{00E4}yak.com")?.normalized == AddressNormalizer().normalize("user@k\u{00E4}yak.com")?.normalized)
    }

    /// The properties `Tests/Fuzz/AddressFuzz.swift` checks, over its seeds and regressions and over quoted
    /// local parts built from every kind of character (the fuzz build itself is `Scripts/fuzz address`).
    @Test func theAddressFuzzPropertiesHold() throws {
        var root = URL(fileURLWithPath: #filePath)
        while root.lastPathComponent != "Tests" { root.deleteLastPathComponent() }
        var inputs: [(UInt8, String)] = []
        for folder in ["Fuzz/Corpus/address", "Fuzz/Regressions/address"] {
            let url = root.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path) where !name.hasSuffix(".md") {
                let bytes = [UInt8](try Data(contentsOf: url.appendingPathComponent(name)))
                guard let flags = bytes.first, flags & 0x80 == 0 else { continue }
                inputs.append((flags, String(decoding: bytes.dropFirst(), as: UTF8.self)))
            }
        }
        #expect(inputs.count >= 20)
        let pieces = ["a", "Z", ".", "..", " ", "\\\"", "\\\\", "\\b", ",", "@", ";", "\u{00F6}", "o\u{0308}", "\u{037E}", "\u{212A}", "+", "=", "<", "\u{0338}"]
        for first in pieces {
            for second in pieces {
                for third in ["", ".", "x"] {
                    let local = first + second + third
                    for flags: UInt8 in [0, 1, 5, 7] {
                        inputs.append((flags, "\"\(local)\"@x.example"))
                        inputs.append((flags, "\(local)@\u{212A}x.example"))
                    }
                }
            }
        }
        for (flags, raw) in inputs {
            let normalizer = AddressNormalizer(configuration: AddressNormalizerConfiguration(caseInsensitiveLocalPart: flags & 1 != 0))
            if let first = normalizer.normalize(raw) {
                #expect(normalizer.normalize(first.normalized)?.normalized == first.normalized, "not idempotent: \(raw.debugDescription)")
                #expect(normalizer.normalizedKey(raw) == first.normalized, "fast path differs: \(raw.debugDescription)")
            }
            let validator = EmailAddressValidator(
                configuration: EmailAddressValidatorConfiguration(allowDisplayName: flags & 2 != 0, allowUTF8LocalPart: flags & 4 != 0))
            if let sendable = try? validator.validate(raw) {
                #expect((try? validator.validate(sendable)) == sendable, "validate not idempotent: \(raw.debugDescription)")
                #expect(normalizer.normalize(sendable) != nil, "validated but no key: \(raw.debugDescription)")
                #expect(normalizer.normalize(sendable)?.normalized == normalizer.normalize(raw)?.normalized, "\(raw.debugDescription)")
            }
        }
    }
}
