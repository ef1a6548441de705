import Glibc

/// RFC 3339 UTC times with milliseconds (`2026-11-29T11:38:16.726Z`) for log lines, written into one
/// fixed-size buffer: formatting runs once per request, so no Foundation and no string concatenation.
public enum UTCTimestamp {
    /// The current wall-clock time.
    public static func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return format(epochMilliseconds: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec / 1_000_000))
    }

    /// The time `secondsSince1970` (a `Date`'s `timeIntervalSince1970`), byte-identical to Foundation's
    /// `Date.ISO8601FormatStyle(includingFractionalSeconds: true)`, which truncates the fraction.
    public static func format(secondsSince1970 x: Double) -> String {
        let seconds = Int64(x.rounded(.down))
        let millis = Int64(((x - Double(seconds)) * 1000).rounded(.down))
        return format(epochMilliseconds: seconds * 1000 + min(999, max(0, millis)))
    }

    /// The time `epochMilliseconds` after 1970-01-01T00:00:00Z (years 0001-9999).
    public static func format(epochMilliseconds ms: Int64) -> String {
        let floorSeconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        var seconds = time_t(floorSeconds)
        let millis = Int(ms - floorSeconds * 1000)
        var t = tm()
        gmtime_r(&seconds, &t)
        return String(unsafeUninitializedCapacity: 24) { buffer in
            func put(_ value: Int, _ width: Int, at offset: Int) {
                var v = max(0, value)  // digits only, even for a date outside years 0001-9999
                for k in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[k] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                }
            }
            put(Int(t.tm_year) + 1900, 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(Int(t.tm_mon) + 1, 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(Int(t.tm_mday), 2, at: 8)
            buffer[10] = UInt8(ascii: "T")
            put(Int(t.tm_hour), 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put(Int(t.tm_min), 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(Int(t.tm_sec), 2, at: 17)
            buffer[19] = UInt8(ascii: ".")
            put(millis, 3, at: 20)
            buffer[23] = UInt8(ascii: "Z")
            return 24
        }
    }
}
