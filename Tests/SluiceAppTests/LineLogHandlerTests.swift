import Foundation
import Testing
@testable import SluiceApp

struct LineLogHandlerTests {
    @Test(arguments: [
        ("plain", #""plain""#),
        ("quote\"back\\slash", #""quote\"back\\slash""#),
        ("line\nbreak\r\tx", #""line\nbreak\r\tx""#),
        ("bell\u{07}del\u{7F}", #""bell\u0007del\u007f""#),
        ("sep\u{2028}x", #""sep\u2028x""#),
        ("é and 日本", "\"é and 日本\""),
    ])
    func escapesEveryControlCharacter(input: String, expected: String) {
        #expect(LineLogHandler.jsonString(input) == expected)
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        #expect(LineLogHandler.timestamp(Date(timeIntervalSince1970: 1_764_416_296.7261)) == "2025-11-29T11:38:16.726Z")
        #expect(LineLogHandler.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }
}
