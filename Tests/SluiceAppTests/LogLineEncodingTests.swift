import Foundation
import Testing
@testable import SluiceApp

struct LogLineEncodingTests {
    /// The scalar-by-scalar escaping the byte-level encoder replaced, as the reference.
    static func reference(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    @Test func escapesLikeTheScalarReferenceOnRandomStrings() {
        let alphabet: [Unicode.Scalar] = ["a", "Z", "0", " ", "=", "\"", "\\", "\n", "\r", "\t", "\u{00}", "\u{08}", "\u{0C}",
            "\u{1F}", "\u{7F}", "\u{80}", "é", "\u{2027}", "\u{2028}", "\u{2029}", "\u{202A}", "日", "\u{1F600}", "\u{E2}"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            var s = ""
            for _ in 0..<Int.random(in: 0...12, using: &rng) { s.unicodeScalars.append(alphabet.randomElement(using: &rng)!) }
            #expect(LineLogHandler.jsonString(s) == Self.reference(s), "\(Array(s.unicodeScalars))")
            let needsQuoting = s.isEmpty || s.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20 || $0.value == 0x7F }
            #expect(LineLogHandler.textEscape(s) == (needsQuoting ? Self.reference(s) : s))
        }
    }

    @Test func writesIntegersAsTheirDescription() {
        var rng = SystemRandomNumberGenerator()
        var samples = [0, 1, -1, 9, 10, 99, 100, Int.max, Int.min]
        for _ in 0..<1000 { samples.append(Int.random(in: Int.min...Int.max, using: &rng) >> Int.random(in: 0...62, using: &rng)) }
        for n in samples {
            var bytes: [UInt8] = []
            LogLineEncoding.appendDecimal(n, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == "\(n)")
        }
    }

    @Test func writesMillisecondsAsTheDoubleDescription() {
        var rng = SystemRandomNumberGenerator()
        var samples: [Double] = Array(0..<20_000).map(Double.init) + [-0.0, -1, 1e15, 1e15 - 1, 1e16, 0.5, .infinity, .nan]
        for _ in 0..<5000 { samples.append(Double(UInt64.random(in: 0..<1_000_000_000_000_000, using: &rng) >> UInt64.random(in: 0...50, using: &rng))) }
        for us in samples {
            var bytes: [UInt8] = []
            LogLineEncoding.appendMilliseconds(microseconds: us, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == "\(us / 1e3)", "\(us)")
        }
    }
}
