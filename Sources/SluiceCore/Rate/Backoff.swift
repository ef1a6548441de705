import Foundation

/// Exponential backoff with full jitter: `random * min(cap, base * 2^attempt)` (AWS Architecture Blog,
/// "Exponential Backoff And Jitter").
public struct Backoff: Sendable, Equatable {
    /// Delay scale for the first retry, seconds.
    public var base: TimeInterval
    /// Upper bound of any delay, seconds.
    public var cap: TimeInterval
    /// Retries after the first attempt before giving up.
    public var maxRetries: Int

    public init(base: TimeInterval = 0.5, cap: TimeInterval = 30, maxRetries: Int = 5) {
        self.base = base
        self.cap = cap
        self.maxRetries = maxRetries
    }

    /// The ceiling for retry `attempt` (0 = first retry): `min(cap, base * 2^attempt)`.
    public func ceiling(attempt: Int) -> TimeInterval {
        // 2^62 already overflows any sensible cap; clamp to keep the power finite.
        let exponent = min(max(0, attempt), 62)
        return min(cap, base * Double(UInt64(1) << UInt64(exponent)))
    }

    /// The delay before retry `attempt`; `random` is uniform in 0..<1 and injected for tests.
    public func delay(attempt: Int, random: Double) -> TimeInterval {
        let r = min(max(random, 0), 1)
        return r * ceiling(attempt: attempt)
    }

    /// Whether retry number `attempt` (0-based) is still allowed.
    public func allowsRetry(attempt: Int) -> Bool { attempt < maxRetries }
}
