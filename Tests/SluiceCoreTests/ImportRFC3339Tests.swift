import Foundation
import Testing
@testable import SluiceCore

struct ImportRFC3339Tests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0),
        ("2026-11-29T11:39:41.123Z", 1_795_952_381.123),
        ("2026-11-29T13:39:41.5+02:00", 1_795_952_381.5),
        ("2000-02-29T23:59:59-00:30", 951_870_599.0),
    ])
    func parses(text: String, seconds: Double) throws {
        let date = try #require(RFC3339.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.0005)
    }

    @Test(arguments: ["2026-11-29", "2026-11-29T11:39:41", "2026-02-30T00:00:00Z", "tomorrow", "2026-11-29 11:39:41Z"])
    func rejects(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func formatsUTCMillisecondsAndRoundTrips() throws {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 951_782_400.007)) == "2000-02-29T00:00:00.007Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59.000Z")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let ms = Int64.random(in: 0...4_102_444_800_000, using: &generator)
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            let text = RFC3339.format(date)
            #expect(RFC3339.parse(text) == date, "\(text)")
        }
    }
}
