import Foundation
import Glibc
import Testing
@testable import SluiceHTTP

struct UTCTimestampTests {
    @Test func formatsMillisecondsSinceTheEpoch() {
        #expect(UTCTimestamp.format(epochMilliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(UTCTimestamp.format(epochMilliseconds: 1_764_416_296_726) == "2025-11-29T11:38:16.726Z")
        #expect(UTCTimestamp.format(epochMilliseconds: -1) == "1969-12-31T23:59:59.999Z")
        #expect(UTCTimestamp.format(epochMilliseconds: 253_402_300_799_999) == "9999-12-31T23:59:59.999Z")
    }

    @Test func matchesFoundationISO8601FormatStyleByteForByte() {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        // Includes values whose binary fraction sits just below the millisecond (Foundation truncates).
        var samples: [Double] = [0, 1642688742.54, 1808695442.504, 1720381813.77, 1641591876.261, 1_764_416_296.7261, 86_399.9999]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            samples.append(Double(Int64.random(in: 1_600_000_000_000...1_900_000_000_000, using: &rng)) / 1000)
            samples.append(Double.random(in: 1_600_000_000...1_900_000_000, using: &rng))
        }
        for x in samples {
            #expect(UTCTimestamp.format(secondsSince1970: x) == style.format(Date(timeIntervalSince1970: x)), "\(x)")
        }
    }

    @Test func civilDatesMatchGmtimeAcrossYearsOneToNineThousand() {
        var rng = SystemRandomNumberGenerator()
        var samples: [Int64] = [-62_135_596_800_000, -1, 0, 951_782_400_000, 4_107_542_399_999, 253_402_300_799_999]
        for _ in 0..<5000 { samples.append(Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &rng)) }
        for ms in samples {
            var seconds = time_t(ms >= 0 ? ms / 1000 : (ms - 999) / 1000)
            var t = tm()
            gmtime_r(&seconds, &t)
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, Int32(ms - Int64(seconds) * 1000))
            #expect(UTCTimestamp.format(epochMilliseconds: ms) == expected, "\(ms)")
            var bytes: [UInt8] = [0x41]
            UTCTimestamp.append(epochMilliseconds: ms, to: &bytes)
            #expect(bytes == [0x41] + Array(expected.utf8))
        }
    }

    @Test func nowIsWellFormed() {
        let text = UTCTimestamp.now()
        #expect(text.utf8.count == 24)
        #expect(text.hasSuffix("Z"))
        #expect(text.dropFirst(10).first == "T")
    }
}
