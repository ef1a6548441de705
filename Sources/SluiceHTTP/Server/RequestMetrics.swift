import SluiceCore

/// Per-request metrics the server records itself: it asks once for the series of each method, route
/// and status on each event loop and keeps the handles, so a request costs an atomic add and one
/// histogram update, without hashing labels or taking a shared lock to find its series.
public protocol RequestMetrics: Sendable {
    /// The series for requests with these labels (nil records nothing); `routePattern` is nil when
    /// no route matched.
    func series(method: HTTPMethod, routePattern: String?, status: Int) -> RequestSeries?
}

/// The registered handles one request updates.
public struct RequestSeries: Sendable {
    /// Requests counted.
    public let requests: Counter
    /// Request durations in seconds.
    public let duration: Histogram

    public init(requests: Counter, duration: Histogram) {
        self.requests = requests
        self.duration = duration
    }

    /// Counts one request of `durationSeconds`.
    public func record(durationSeconds: Double) {
        requests.increment()
        duration.observe(durationSeconds)
    }
}
