import Foundation

/// RFC 3339 timestamps as the API and CSV files carry them, at the store's millisecond precision.
public enum RFC3339 {
    /// The instant `text` denotes (`2026-01-31T12:00:00Z`, `…T12:00:00.5+02:00`), rounded to the
    /// millisecond; nil when it is not an RFC 3339 date-time.
    public static func parse(_ text: String) -> Date? {
        guard let date = ISO8601Timestamp.parse(text) else { return nil }
        // Snap to whole milliseconds: the store keeps no more, so a parsed value round-trips exactly.
        return Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    /// `date` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, milliseconds); allocation-light for bulk exports.
    public static func format(_ date: Date) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        append(date, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the `format(_:)` spelling of `date` to `out`.
    public static func append(_ date: Date, to out: inout [UInt8]) {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var days = milliseconds >= 0 ? milliseconds / 86_400_000 : (milliseconds - 86_399_999) / 86_400_000
        let msOfDay = Int(milliseconds - days * 86_400_000)
        // Howard Hinnant's civil_from_days.
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
        digits(year, 4, &out)
        out.append(UInt8(ascii: "-"))
        digits(month, 2, &out)
        out.append(UInt8(ascii: "-"))
        digits(day, 2, &out)
        out.append(UInt8(ascii: "T"))
        digits(msOfDay / 3_600_000, 2, &out)
        out.append(UInt8(ascii: ":"))
        digits(msOfDay / 60_000 % 60, 2, &out)
        out.append(UInt8(ascii: ":"))
        digits(msOfDay / 1000 % 60, 2, &out)
        out.append(UInt8(ascii: "."))
        digits(msOfDay % 1000, 3, &out)
        out.append(UInt8(ascii: "Z"))
    }

    private static func digits(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = max(0, value)
        // Years past 9999 keep all their digits.
        while v / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(v / divisor))
            v %= divisor
            divisor /= 10
        }
    }
}
