import Glibc

/// RFC 3339 UTC times with milliseconds (`2026-11-29T11:38:16.726Z`) for log lines, written into one
/// fixed-size buffer: formatting runs once per request, so no Foundation and no string concatenation.
public enum UTCTimestamp {
    /// The length of every formatted time.
    public static let byteCount = 24

    /// The current wall-clock time.
    public static func now() -> String {
        format(epochMilliseconds: nowMilliseconds())
    }

    /// The current wall-clock time in milliseconds since 1970-01-01T00:00:00Z (truncated).
    public static func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec / 1_000_000)
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
        String(unsafeUninitializedCapacity: byteCount) { buffer in
            write(epochMilliseconds: ms, into: UnsafeMutableRawBufferPointer(buffer))
            return byteCount
        }
    }

    /// Appends the 24 bytes of `format(epochMilliseconds:)` to `bytes`.
    public static func append(epochMilliseconds ms: Int64, to bytes: inout [UInt8]) {
        withBytes(epochMilliseconds: ms) { bytes.append(contentsOf: $0) }
    }

    /// Calls `body` with the 24 bytes of `format(epochMilliseconds:)`, formatted on the stack.
    public static func withBytes<R>(epochMilliseconds ms: Int64, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var storage: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return try withUnsafeMutableBytes(of: &storage) { raw in
            write(epochMilliseconds: ms, into: raw)
            return try body(UnsafeRawBufferPointer(raw))
        }
    }

    /// Writes the 24 bytes into `buffer` (at least 24 bytes long).
    static func write(epochMilliseconds ms: Int64, into buffer: UnsafeMutableRawBufferPointer) {
        // Civil date from days by plain arithmetic (the proleptic Gregorian calendar, as gmtime_r):
        // glibc's gmtime_r takes the process-wide timezone lock, which every loop thread would share.
        let floorSeconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let millis = Int(ms - floorSeconds * 1000)
        let days = floorSeconds >= 0 ? floorSeconds / 86_400 : (floorSeconds - 86_399) / 86_400
        let secondOfDay = Int(floorSeconds - days * 86_400)
        let (year, month, day) = civil(days: days)
        func put(_ value: Int, _ width: Int, at offset: Int) {
            var v = max(0, value)  // digits only, even for a date outside years 0001-9999
            for k in stride(from: offset + width - 1, through: offset, by: -1) {
                buffer[k] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(Int(year), 4, at: 0)
        buffer[4] = UInt8(ascii: "-")
        put(month, 2, at: 5)
        buffer[7] = UInt8(ascii: "-")
        put(day, 2, at: 8)
        buffer[10] = UInt8(ascii: "T")
        put(secondOfDay / 3600, 2, at: 11)
        buffer[13] = UInt8(ascii: ":")
        put(secondOfDay / 60 % 60, 2, at: 14)
        buffer[16] = UInt8(ascii: ":")
        put(secondOfDay % 60, 2, at: 17)
        buffer[19] = UInt8(ascii: ".")
        put(millis, 3, at: 20)
        buffer[23] = UInt8(ascii: "Z")
    }

    /// Year, month (1-12) and day (1-31) of `days` after 1970-01-01, after Howard Hinnant's
    /// `civil_from_days` (http://howardhinnant.github.io/date_algorithms.html).
    static func civil(days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097  // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365  // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)  // [0, 365]
        let mp = (5 * doy + 2) / 153  // [0, 11]
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
