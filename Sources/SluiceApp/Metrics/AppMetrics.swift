import SluiceCore
import SluiceHTTP
import Synchronization

/// The service's metrics: one registry, with the handles hot paths use resolved up front.
/// Names follow Prometheus conventions (`sluice_*_total`, seconds); no address is ever a label.
public final class AppMetrics: Sendable {
    public let registry: MetricsRegistry
    // Handles already resolved: a registry lookup validates names, sorts and escapes labels and takes
    // the registry lock, which cost microseconds per request. A series is dropped only through `remove`,
    // which forgets its cached handle too, so a cached handle stays the registered one. Both caches are
    // bounded by the label sets in code (routes are patterns, statuses are codes), not by request input.
    private let requestSeries = Mutex<[RequestSeriesKey: (Counter, Histogram)]>([:])
    private let plainCounters = Mutex<[String: Counter]>([:])

    private struct RequestSeriesKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    public init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
    }

    /// Counts and times one HTTP request (the server's observer hook).
    public func observe(_ observation: RequestObservation) {
        let route = observation.routePattern ?? "unmatched"
        let key = RequestSeriesKey(method: observation.method.metricsLabel, route: route, status: observation.status)
        if let (counter, histogram) = requestSeries.withLock({ $0[key] }) {
            counter.increment()
            histogram.observe(observation.durationSeconds)
            return
        }
        let labels = ["method": key.method, "route": route, "status": String(observation.status)]
        let counter = try? registry.counter(Self.requestsName, help: "HTTP requests by route and status.", labels: labels)
        let histogram = try? registry.histogram(
            Self.requestDurationName, help: "HTTP request latency.",
            labels: ["method": key.method, "route": route]
        )
        counter?.increment()
        histogram?.observe(observation.durationSeconds)
        if let counter, let histogram {
            // Bounded by the method label's fixed set; the cap guards against a route set that grows.
            requestSeries.withLock { if $0.count < 512 { $0[key] = (counter, histogram) } }
        }
    }

    /// Increments `name{labels}` by `amount`; names and label keys are fixed strings in code.
    public func count(_ name: String, help: String, labels: [String: String] = [:], by amount: UInt64 = 1) {
        guard labels.isEmpty else {
            try? registry.counter(name, help: help, labels: labels).increment(by: amount)
            return
        }
        if let counter = plainCounters.withLock({ $0[name] }) {
            counter.increment(by: amount)
            return
        }
        guard let counter = try? registry.counter(name, help: help) else { return }
        counter.increment(by: amount)
        plainCounters.withLock { $0[name] = counter }
    }

    /// Sets the gauge `name{labels}`.
    public func set(_ name: String, help: String, labels: [String: String] = [:], _ value: Double) {
        try? registry.gauge(name, help: help, labels: labels).set(value)
    }

    /// Stops exporting `name{labels}` until it is set or counted again (see `MetricsRegistry.remove(_:labels:)`).
    public func remove(_ name: String, labels: [String: String] = [:]) {
        registry.remove(name, labels: labels)
        if labels.isEmpty { plainCounters.withLock { _ = $0.removeValue(forKey: name) } }
        if name == Self.requestsName || name == Self.requestDurationName { requestSeries.withLock { $0.removeAll() } }
    }

    static let requestsName = "sluice_http_requests_total"
    static let requestDurationName = "sluice_http_request_duration_seconds"
}
