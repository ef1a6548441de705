import SluiceCore
import SluiceHTTP

// The server resolves these once per method, route and status on each event loop and keeps the
// handles; same series as `observe(_:)` registers.
extension AppMetrics: RequestMetrics {
    /// The request counter and latency histogram for one label set.
    public func series(method: HTTPMethod, routePattern: String?, status: Int) -> RequestSeries? {
        let route = routePattern ?? "unmatched"
        guard let counter = try? registry.counter(
            "sluice_http_requests_total", help: "HTTP requests by route and status.",
            labels: ["method": method.metricsLabel, "route": route, "status": String(status)]
        ), let histogram = try? registry.histogram(
            "sluice_http_request_duration_seconds", help: "HTTP request latency.",
            labels: ["method": method.metricsLabel, "route": route]
        ) else { return nil }
        return RequestSeries(requests: counter, duration: histogram)
    }
}
