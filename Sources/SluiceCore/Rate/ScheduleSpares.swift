import Foundation

/// Stretches of a shared send schedule this instance reserved but did not use (it lost the claim, the
/// message was suppressed, sending was paused). They stay this instance's alone, so a later send may use
/// any part of one instead of reserving anew: lost claims then cost no shared rate.
///
/// A send of `seconds` fits a stretch [start, end) at max(start, now) when that plus `seconds` ≤ end.
public struct ScheduleSpares: Sendable, Equatable {
    /// Stretches kept at most (the oldest go first): reuse is an optimisation, not a ledger.
    public static let capacity = 256
    /// Float slack for comparisons of instants computed from microseconds.
    static let slack: TimeInterval = 1e-6

    /// One unused stretch.
    public struct Stretch: Sendable, Equatable {
        public var start: Date
        public var end: Date
    }

    public private(set) var stretches: [Stretch] = []

    public init() {}

    /// Keeps [start, start + seconds) for later.
    public mutating func add(start: Date, seconds: TimeInterval) {
        guard seconds > Self.slack, seconds.isFinite else { return }
        stretches.append(Stretch(start: start, end: start.addingTimeInterval(seconds)))
        if stretches.count > Self.capacity { stretches.removeFirst(stretches.count - Self.capacity) }
    }

    /// Takes `seconds` of the earliest stretch that still has room at `now`; returns the send time, or nil.
    /// Stretches that have ended are dropped.
    public mutating func take(_ seconds: TimeInterval, now: Date) -> Date? {
        stretches.removeAll { $0.end.timeIntervalSince(now) < Self.slack }
        var best: Int?
        for (index, stretch) in stretches.enumerated() {
            let begin = max(stretch.start, now)
            guard stretch.end.timeIntervalSince(begin) + Self.slack >= seconds else { continue }
            if let current = best, max(stretches[current].start, now) <= begin { continue }
            best = index
        }
        guard let best else { return nil }
        let stretch = stretches[best]
        let begin = max(stretch.start, now)
        // What is left on either side stays spare (the part before `begin` has passed unless start > now).
        let rest = begin.addingTimeInterval(seconds)
        if stretch.end.timeIntervalSince(rest) > Self.slack {
            stretches[best] = Stretch(start: rest, end: stretch.end)
        } else {
            stretches.remove(at: best)
        }
        return begin
    }
}
