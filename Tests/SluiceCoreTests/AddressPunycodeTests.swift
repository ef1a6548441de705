import Testing
@testable import SluiceCore

struct AddressPunycodeTests {
    // RFC 3492 §7.1 sample strings plus common IDN examples.
    static let samples: [(String, String)] = [
        ("\u{0644}\u{064A}\u{0647}\u{0645}\u{0627}\u{0628}\u{062A}\u{0643}\u{0644}\u{0645}\u{0648}\u{0634}\u{0639}\u{0631}\u{0628}\u{064A}\u{061F}",
         "egbpdaj6bu4bxfgehfvwxn"),
        ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),
        ("почемужеонинеговорятпорусски", "b1abfaaepdrnnbgefbadotcwatmq2g4l"),
        ("3年B組金八先生", "3B-ww4c5e180e575a65lsy2b"),
        ("安室奈美恵-with-SUPER-MONKEYS", "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"),
        ("bücher", "bcher-kva"),
        ("münchen", "mnchen-3ya"),
        ("例え", "r8jz45g"),
    ]

    @Test(arguments: samples)
    func encodes(_ unicode: String, _ punycode: String) {
        #expect(Punycode.encode(Array(unicode.unicodeScalars)) == punycode)
    }

    @Test(arguments: samples)
    func decodes(_ unicode: String, _ punycode: String) throws {
        let scalars = try #require(Punycode.decode(Substring(punycode).utf8))
        #expect(String(String.UnicodeScalarView(scalars)) == unicode)
    }

    @Test(arguments: ["a", "99999999999", "bcher-kv!", "zzzzzzzzzzzzzzzzzzzzzzzzzzzz9"])
    func rejectsMalformedOrOutOfRange(_ input: String) {
        let decoded = Punycode.decode(Substring(input).utf8)
        // Either malformed, or decodes only to characters no U-label may hold.
        #expect(decoded == nil || decoded!.contains { $0.value < 0xA0 })
    }
}
