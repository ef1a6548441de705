import Testing
import SluiceHTTP
@testable import SluiceApp

/// `AppMetrics.remove` forgets the handles it caches, so a series removed and then used again is exported again.
struct AppMetricsTests {
    @Test func aGaugeSetAgainAfterRemovalIsExportedAgain() {
        let metrics = AppMetrics()
        metrics.set("sluice_test_ratio", help: "A ratio.", labels: ["window": "24h"], 0.5)
        metrics.remove("sluice_test_ratio", labels: ["window": "24h"])
        #expect(!metrics.registry.render().contains("sluice_test_ratio"))

        metrics.set("sluice_test_ratio", help: "A ratio.", labels: ["window": "24h"], 0.25)
        #expect(metrics.registry.render().contains("sluice_test_ratio{window=\"24h\"} 0.25\n"))
    }

    @Test func aCachedPlainCounterCountedAgainAfterRemovalIsExportedAgain() {
        let metrics = AppMetrics()
        metrics.count("sluice_test_total", help: "Things.", by: 3)
        metrics.remove("sluice_test_total")
        #expect(!metrics.registry.render().contains("sluice_test_total"))

        metrics.count("sluice_test_total", help: "Things.")
        #expect(metrics.registry.render().contains("sluice_test_total 1\n"))
    }

    @Test func cachedRequestSeriesObservedAgainAfterRemovalAreExportedAgain() {
        let metrics = AppMetrics()
        let observation = RequestObservation(
            method: .GET, routePattern: "/healthz", status: 200, durationSeconds: 0.01, requestBodyBytes: 0, responseBodyBytes: 2)
        metrics.observe(observation)
        metrics.observe(observation)
        metrics.remove(AppMetrics.requestsName, labels: ["method": "GET", "route": "/healthz", "status": "200"])
        metrics.remove(AppMetrics.requestDurationName, labels: ["method": "GET", "route": "/healthz"])
        #expect(!metrics.registry.render().contains("sluice_http_request"))

        metrics.observe(observation)
        let text = metrics.registry.render()
        #expect(text.contains("sluice_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1\n"))
        #expect(text.contains("sluice_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"} 1\n"))
    }
}
