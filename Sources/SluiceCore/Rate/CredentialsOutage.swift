import Foundation

/// The wait of the send gate while no usable AWS credentials can be had (or SES cannot be reached at all):
/// a second at first, twice as long after each wait that ended without a call, up to a limit. Calls in flight together fail together; they
/// count as one try, so one blip under load still costs a second, not the longest wait.
public struct CredentialsOutage: Sendable, Equatable {
    private var doublings = 0
    private var waitingUntil: Date?

    public init() {}

    /// The wait after a send found no keys at `now` (the current one again while it runs).
    public mutating func wait(at now: Date, longest: TimeInterval) -> TimeInterval {
        if let until = waitingUntil, now < until { return until.timeIntervalSince(now) }
        let seconds = min(longest, pow(2, Double(doublings)))
        if seconds < longest { doublings += 1 }
        waitingUntil = now.addingTimeInterval(seconds)
        return seconds
    }

    /// A call got past the keys (SES answered, or refused for other reasons): the next outage starts at a second.
    public mutating func end() { self = CredentialsOutage() }
}
