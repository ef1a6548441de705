import Foundation
import Testing
@testable import SluiceCore

/// The byte-level decoder must accept and reject exactly what `Data(base64Encoded:)` does.
struct SignatureBase64Tests {
    static func foundation(_ text: String) -> [UInt8]? { Data(base64Encoded: text).map { Array($0) } }

    @Test func decodesEveryLengthLikeFoundation() {
        var rng = SystemRandomNumberGenerator()
        for length in 0...300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let text = Data(bytes).base64EncodedString()
            #expect(SignatureBase64.decode(text) == bytes)
            #expect(SignatureBase64.decode(text) == Self.foundation(text))
        }
    }

    @Test(arguments: [
        "", "=", "==", "====", "A", "AA", "AAA", "AA==", "AAA=", "AB==", "AAB=", "QQ", "QUI", "QQ==QQ==", "Q===",
        "QQ=A", "Q=Q=", "QUJD\n", "QUJD RA==", " QUJD", "QUJD\r\nRA==", "QUJD-_==", "QUJD+/==", "QUJD+/8=",
        "QUJDé===", "QUJD\u{0}", "QR==", "QUI=", "QUJ=", "////", "++++", "QUJDRA", "QUJDRA=", "QUJDRA===",
    ])
    func edgeCasesMatchFoundation(_ text: String) {
        #expect(SignatureBase64.decode(text) == Self.foundation(text))
    }

    @Test func mutatedSignaturesMatchFoundation() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \n-_.".utf8)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 1...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var text = Array(Data(bytes).base64EncodedString().utf8)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let i = Int.random(in: 0..<text.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: text[i] = alphabet.randomElement(using: &rng)!
                case 1: text.remove(at: i)
                default: text.insert(alphabet.randomElement(using: &rng)!, at: i)
                }
                if text.isEmpty { break }
            }
            let string = String(decoding: text, as: UTF8.self)
            #expect(SignatureBase64.decode(string) == Self.foundation(string), "\(string)")
        }
    }

    @Test func decodesARealSNSSignature() throws {
        // 2048-bit RSA: 344 characters, 256 bytes.
        let bytes = (0..<256).map { UInt8($0) }
        let text = Data(bytes).base64EncodedString()
        #expect(text.utf8.count == 344)
        #expect(try #require(SignatureBase64.decode(text)) == bytes)
    }
}
