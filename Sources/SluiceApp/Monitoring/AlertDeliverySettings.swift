import SluiceCore

/// Queue, attempt, backoff and shutdown limits of a queued alert sink (the webhook, the SNS topic).
public struct AlertDeliverySettings: Sendable {
    /// Notifications waiting beyond this drop the least important (see `AlertQueue`).
    public var maxQueue: Int
    /// Attempts per notification (first try included).
    public var maxAttempts: Int
    /// Delay before retry n: jittered within [ceiling/2, ceiling], ceiling = min(cap, base * 2^n).
    public var backoff: Backoff
    /// Deadline of one delivery attempt (a POST, a Publish).
    public var timeout: Duration
    /// On shutdown, how long pending notifications may still go out before the rest is dropped.
    public var shutdownGrace: Duration

    public init(
        maxQueue: Int = 100, maxAttempts: Int = 5, backoff: Backoff = Backoff(base: 2, cap: 60), timeout: Duration = .seconds(10),
        shutdownGrace: Duration = .seconds(3)
    ) {
        self.maxQueue = max(1, maxQueue)
        self.maxAttempts = max(1, maxAttempts)
        self.backoff = backoff
        self.timeout = timeout
        self.shutdownGrace = shutdownGrace
    }
}
