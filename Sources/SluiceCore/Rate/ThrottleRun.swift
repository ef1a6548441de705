import Foundation

/// The account's current run of throttled SES answers: how many in a row (the throttle backoff grows with
/// it) and since when (`QueueStateMachine.maxThrottledAge` counts from there, not from a message's acceptance,
/// so a backlog that waited out a long pause is not failed on its first throttle).
///
/// An accepted call ends the run. So does a gap longer than `maxGap` between throttled answers (sending paused,
/// nothing due): the throttling seen after it is a new run.
public struct ThrottleRun: Sendable, Equatable {
    /// Throttled answers in a row, this run (at most 64).
    public private(set) var streak = 0
    /// When this run's first throttled answer came; nil with no run.
    public private(set) var since: Date?
    /// When the latest throttled answer came.
    private var last: Date?
    /// The longest gap between throttled answers within one run, seconds.
    public var maxGap: TimeInterval

    public init(maxGap: TimeInterval) {
        self.maxGap = maxGap
    }

    /// The gap for a throttle backoff capped at `backoffCap`: a throttled message comes back within the cap.
    public static func gap(backoffCap: TimeInterval) -> TimeInterval {
        max(60, 2 * backoffCap)
    }

    /// Records SES's answer at `now`; other failures leave the run as it is.
    public mutating func record(_ outcome: SendOutcome, at now: Date) {
        switch outcome {
        case .accepted:
            (streak, since, last) = (0, nil, nil)
        case .failed(.throttled, _):
            if let last, now.timeIntervalSince(last) > maxGap { (streak, since) = (0, nil) }
            if since == nil { since = now }
            streak = min(streak + 1, 64)
            last = now
        case .failed:
            break
        }
    }

    /// Since when a message accepted at `acceptedAt` has been throttled without a break: the later of the two.
    public func throttledSince(acceptedAt: Date) -> Date? {
        since.map { max($0, acceptedAt) }
    }
}
