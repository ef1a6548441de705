import Foundation

/// Events (and sends) counted per hour, sending identity and kind.
public struct HourlyCounter: Sendable, Equatable, Hashable, Codable {
    /// Start of the UTC hour.
    public var hourStart: Date
    public var identity: String
    public var kind: EventKind
    public var count: Int

    public init(hourStart: Date, identity: String, kind: EventKind, count: Int) {
        self.hourStart = hourStart
        self.identity = identity
        self.kind = kind
        self.count = count
    }

    /// The start of the UTC hour containing `date`.
    public static func hourStart(of date: Date) -> Date {
        let seconds = date.timeIntervalSince1970
        return Date(timeIntervalSince1970: (seconds / 3600).rounded(.down) * 3600)
    }
}
