import Foundation
import Testing
@testable import SluiceCore

struct SNSMessageSignatureTests {
    @Test(arguments: [
        "AAAA", "AAA=", "AA==", "QUJD", "QUI=", "QQ==", "+/+/", "////", "SGVsbG8gd29ybGQ=",
        // Refused or not canonical: handed to Data(base64Encoded:), whatever it answers stands.
        "", "A", "AA", "AAA", "AB==", "AAB=", "A===", "====", "AA=A", "QQ==QQ==", "QUJD\n", " QUJD", "QU JD",
        "QUJD=", "-_-_", "QUJ\u{e9}", "not base64!",
    ])
    func decodesAsFoundationDoes(_ text: String) {
        #expect(SNSMessage.decodeSignature(text) == Data(base64Encoded: text).map { Array($0) }, "\(text)")
    }

    @Test func canonicalDecoderRoundTripsEveryLength() {
        var state: UInt64 = 42
        for length in 0..<200 {
            let bytes = (0..<length).map { _ -> UInt8 in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 33)
            }
            let text = Data(bytes).base64EncodedString()
            #expect(SNSMessage.decodeCanonicalBase64(Array(text.utf8)) == (bytes.isEmpty ? nil : bytes))
            #expect(SNSMessage.decodeSignature(text) == bytes)
        }
    }
}
