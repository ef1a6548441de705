import Foundation

/// A token bucket: `ratePerSecond` tokens accrue continuously up to `burst`; one token per recipient.
///
/// Pure value type: the caller passes `now` and owns the state (e.g. under a Mutex).
public struct TokenBucket: Sendable, Equatable {
    /// Clock tolerance: `Date` near 2025 resolves ~0.1 µs, so a token due at t may compute as
    /// 0.99999 at t; one microsecond's worth of tokens absorbs that without measurable overrun.
    static let tolerance: TimeInterval = 1e-6

    public private(set) var ratePerSecond: Double
    public private(set) var burst: Double
    private var tokens: Double
    private var last: Date

    /// Starts full (`burst` tokens available at `now`).
    public init(ratePerSecond: Double, burst: Double, now: Date) {
        self.ratePerSecond = max(0, ratePerSecond)
        self.burst = max(0, burst)
        self.tokens = self.burst
        self.last = now
    }

    /// Tokens available at `now` (never more than `burst`).
    public func available(now: Date) -> Double {
        // A clock that steps backwards adds nothing rather than removing tokens.
        let elapsed = max(0, now.timeIntervalSince(last))
        return min(burst, tokens + elapsed * ratePerSecond)
    }

    /// Takes `n` tokens if all are available now; otherwise takes nothing.
    public mutating func tryTake(_ n: Double = 1, now: Date) -> Bool {
        let current = available(now: now)
        advance(to: now, tokens: current)
        guard n <= current + slack else { return false }
        tokens = max(0, current - n)
        return true
    }

    /// Seconds until `n` tokens will be available (0 if now; `.infinity` if `n` exceeds `burst` or the rate is 0).
    public func timeUntilAvailable(_ n: Double = 1, now: Date) -> TimeInterval {
        let current = available(now: now)
        if n <= current + slack { return 0 }
        guard n <= burst + slack, ratePerSecond > 0 else { return .infinity }
        return (n - current) / ratePerSecond
    }

    /// Changes the rate (e.g. from `GetAccount` or `AdaptiveRate`), keeping accrued tokens.
    public mutating func setRate(_ ratePerSecond: Double, burst: Double? = nil, now: Date) {
        let current = available(now: now)
        self.ratePerSecond = max(0, ratePerSecond)
        if let burst { self.burst = max(0, burst) }
        advance(to: now, tokens: min(current, self.burst))
    }

    private var slack: Double { 1e-9 + ratePerSecond * Self.tolerance }

    private mutating func advance(to now: Date, tokens: Double) {
        self.tokens = tokens
        if now > last { last = now }
    }
}
