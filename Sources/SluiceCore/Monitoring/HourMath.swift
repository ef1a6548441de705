import Foundation

/// Whole-hour arithmetic on `Date` without calendars: UTC hours are fixed 3600 s steps since the epoch.
public enum HourMath {
    /// Seconds in one hour.
    public static let hour: TimeInterval = 3600

    /// The start of the UTC hour containing `date`.
    public static func floor(_ date: Date) -> Date {
        let t = date.timeIntervalSince1970
        return Date(timeIntervalSince1970: (t / hour).rounded(.down) * hour)
    }
}
