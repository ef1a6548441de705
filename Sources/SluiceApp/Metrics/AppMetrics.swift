import SluiceCore
import SluiceHTTP

/// The service's metrics: one registry, with the handles hot paths use resolved up front.
/// Names follow Prometheus conventions (`sluice_*_total`, seconds); no address is ever a label.
public final class AppMetrics: Sendable {
    public let registry: MetricsRegistry

    public init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
    }

    /// Counts and times one HTTP request (the server's observer hook).
    public func observe(_ observation: RequestObservation) {
        let route = observation.routePattern ?? "unmatched"
        let labels = ["method": observation.method.rawValue, "route": route, "status": String(observation.status)]
        try? registry.counter("sluice_http_requests_total", help: "HTTP requests by route and status.", labels: labels).increment()
        try? registry.histogram(
            "sluice_http_request_duration_seconds", help: "HTTP request latency.",
            labels: ["method": observation.method.rawValue, "route": route]
        ).observe(observation.durationSeconds)
    }

    /// Increments `name{labels}` by `amount`; names and label keys are fixed strings in code.
    public func count(_ name: String, help: String, labels: [String: String] = [:], by amount: UInt64 = 1) {
        try? registry.counter(name, help: help, labels: labels).increment(by: amount)
    }

    /// Sets the gauge `name{labels}`.
    public func set(_ name: String, help: String, labels: [String: String] = [:], _ value: Double) {
        try? registry.gauge(name, help: help, labels: labels).set(value)
    }
}
