import Foundation
import Testing
@testable import SluiceCore

struct SESTimestampTests {
    static let valid: [(String, TimeInterval)] = [
        ("1970-01-01T00:00:00Z", 0),
        ("2017-08-05T00:41:02.669Z", 1_501_893_662.669),
        ("2012-05-25T14:59:38.613-07:00", 1_337_983_178.613),
        ("2012-05-25T14:59:38.613-0700", 1_337_983_178.613),
        ("2024-02-29T23:59:59+05:30", 1_709_231_399),
        ("2024-02-29t23:59:59z", 1_709_251_199),
        ("2017-10-30T13:42:11.941123456789Z", 1_509_370_931.941123456),
        ("1969-12-31T23:59:59Z", -1),
    ]

    @Test(arguments: valid)
    func parses(_ text: String, _ seconds: TimeInterval) throws {
        let date = try #require(ISO8601Timestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test(arguments: [
        "", "2017-08-05", "2017-08-05T00:41:02", "2017-08-05 00:41:02Z", "2023-02-29T00:00:00Z", "2017-13-01T00:00:00Z",
        "2017-08-05T24:00:00Z", "2017-08-05T00:41:02.Z", "2017-08-05T00:41:02+7", "2017-08-05T00:41:02Zjunk",
        "Wed, 27 Jan 2016 14:05:45 +0000",
    ])
    func rejects(_ text: String) {
        #expect(ISO8601Timestamp.parse(text) == nil)
    }
}
