import Foundation

/// The send rate to use: halves on throttling, recovers linearly towards the account's `MaxSendRate`.
///
/// Multiplicative decrease, additive increase (as in TCP/AIMD and the SDKs' adaptive retry mode).
public struct AdaptiveRate: Sendable, Equatable {
    /// Upper bound: the account's `MaxSendRate` (messages/recipients per second).
    public private(set) var maxRate: Double
    /// Factor applied on a throttle (0.5).
    public var decreaseFactor: Double
    /// Lowest rate as a fraction of `maxRate` (0.1)...
    public var minimumFraction: Double
    /// ...but never below this absolute rate per second (0.1), nor above `maxRate`.
    public var absoluteMinimum: Double
    /// Recovery per minute as a fraction of `maxRate` (0.05 → back to full in ~20 min from 0).
    public var recoveryPerMinute: Double
    /// Throttles closer together than this count once: in-flight requests fail together.
    public var decreaseCooldown: TimeInterval

    private var rateAtChange: Double
    private var changedAt: Date
    private var lastDecrease: Date?

    public init(
        maxRate: Double, now: Date, decreaseFactor: Double = 0.5, minimumFraction: Double = 0.1,
        absoluteMinimum: Double = 0.1, recoveryPerMinute: Double = 0.05, decreaseCooldown: TimeInterval = 1
    ) {
        self.maxRate = max(0, maxRate)
        self.decreaseFactor = decreaseFactor
        self.minimumFraction = minimumFraction
        self.absoluteMinimum = absoluteMinimum
        self.recoveryPerMinute = recoveryPerMinute
        self.decreaseCooldown = decreaseCooldown
        self.rateAtChange = self.maxRate
        self.changedAt = now
    }

    /// The floor throttling never goes below.
    public var minimumRate: Double { min(maxRate, max(maxRate * minimumFraction, absoluteMinimum)) }

    /// The rate to use at `now`, including recovery since the last change.
    public func rate(now: Date) -> Double {
        let minutes = max(0, now.timeIntervalSince(changedAt)) / 60
        return min(maxRate, rateAtChange + minutes * recoveryPerMinute * maxRate)
    }

    /// Records a throttling response: halves the current rate (once per cooldown), floored at `minimumRate`.
    public mutating func recordThrottle(now: Date) {
        if let lastDecrease, now.timeIntervalSince(lastDecrease) < decreaseCooldown,
            now.timeIntervalSince(lastDecrease) >= 0
        {
            return
        }
        rateAtChange = max(minimumRate, rate(now: now) * decreaseFactor)
        changedAt = now
        lastDecrease = now
    }

    /// Adopts a new account maximum (e.g. from `GetAccount`), keeping the current rate if lower.
    public mutating func setMaxRate(_ maxRate: Double, now: Date) {
        let current = rate(now: now)
        self.maxRate = max(0, maxRate)
        rateAtChange = min(current, self.maxRate)
        changedAt = now
    }
}
