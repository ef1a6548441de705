import Testing
@testable import SluiceCore

/// The plain-ASCII fast path of `AddressNormalizer` must give exactly what the general path gives.
struct AddressNormalizerASCIITests {
    static let normalizers = [AddressNormalizer(), AddressNormalizer(configuration: AddressNormalizerConfiguration(caseInsensitiveLocalPart: false))]

    @Test(arguments: [
        "Jane.Doe@Example.COM", "a@b", "a@b.c", "user+tag@sub.example.org", "x_y@my_host.example", "o'neil@example.ie",
        "a@b.", "a@.b", "a@b..c", ".a@b.c", "a.@b.c", "a..b@c.d", "@b.c", "a@", "a@@b", "a@b@c.d", "A@XN--BCHER-KVA.example",
        "a@xn--bcher-kva.example", "a@xn--zz.example", "a@-b-.c", "a@1.2.3.4", "a@[1.2.3.4]", "\"a\"@b.c", "\"a b\"@c.d",
        " a@b.c", "a@b.c ", "Jane <a@b.c>", "<a@b.c>", "a@b.c>", "a(b)@c.d", "a,b@c.d", "a@b,c", "a@b c", "a\u{7F}@b.c",
        "a@" + String(repeating: "x", count: 63) + ".c", "a@" + String(repeating: "x", count: 64) + ".c",
        String(repeating: "l", count: 60) + "@" + Array(repeating: String(repeating: "d", count: 60), count: 4).joined(separator: "."),
        "ü@b.c", "a@bü.c", "a@b.\u{3002}c", "KELVIN@\u{212A}.example", "a#!$%&'*+/=?^_`{|}~-@b.c",
    ])
    func fastPathMatchesTheGeneralPath(_ raw: String) {
        for normalizer in Self.normalizers {
            #expect(normalizer.normalize(raw) == normalizer.normalizeInGeneral(raw), "\(raw)")
            #expect(normalizer.normalizedKey(raw) == normalizer.normalizeInGeneral(raw)?.normalized, "\(raw)")
        }
    }

    @Test func fastPathMatchesOnRandomASCII() {
        let alphabet = Array("aZ09.@-_+\"<> x".utf8)
        var state: UInt64 = 7
        for _ in 0..<4000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = Int(state >> 59) + 1
            var bytes: [UInt8] = []
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            let raw = String(decoding: bytes, as: UTF8.self)
            for normalizer in Self.normalizers {
                #expect(normalizer.normalize(raw) == normalizer.normalizeInGeneral(raw), "\(raw)")
            }
        }
    }

    @Test func fastPathIsTaken() {
        #expect(AddressNormalizer().simpleKey("Jane.Doe@Example.COM") == "jane.doe@example.com")
        #expect(AddressNormalizer().simpleKey("Jane <a@b.c>") == nil)
    }
}
