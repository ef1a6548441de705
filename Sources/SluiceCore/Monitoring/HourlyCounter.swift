import Foundation

/// One hourly counter row from the store: `count` events of `kind` for `identity` in the hour starting at `hourStart`.
/// Named `CounterSample` to avoid clashing with the store's `HourlyCounter`; the fields are the same.
public struct CounterSample: Sendable, Equatable, Hashable, Codable {
    /// Start of the UTC hour the events fall in (whole hours since the epoch).
    public var hourStart: Date
    /// Sending identity (from-domain); "" when unknown.
    public var identity: String
    public var kind: EventKind
    public var count: Int

    public init(hourStart: Date, identity: String, kind: EventKind, count: Int) {
        self.hourStart = hourStart
        self.identity = identity
        self.kind = kind
        self.count = count
    }
}
