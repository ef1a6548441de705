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

    /// The time `epochMilliseconds` after 1970-01-01T00:00:00Z (earlier times are clamped to it).
    public static func format(epochMilliseconds: Int64) -> String {
        let ms = max(0, epochMilliseconds)
        var seconds = time_t(ms / 1000)
        var t = tm()
        gmtime_r(&seconds, &t)
        let millis = Int(ms % 1000)
        return String(unsafeUninitializedCapacity: 24) { buffer in
            func put(_ value: Int, _ width: Int, at offset: Int) {
                var v = value
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
