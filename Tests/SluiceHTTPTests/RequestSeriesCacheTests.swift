import Foundation
import SluiceCore
import SluiceTestSupport
import Synchronization
import Testing
@testable import SluiceHTTP

/// Registers `test_requests_total{method,route,status}` and counts how often a series is asked for.
final class CountingRequestMetrics: RequestMetrics {
    let registry = MetricsRegistry()
    private let asked = Atomic<Int>(0)

    var lookups: Int { asked.load(ordering: .relaxed) }

    func series(method: HTTPMethod, routePattern: String?, status: Int) -> RequestSeries? {
        asked.add(1, ordering: .relaxed)
        let labels = ["method": method.rawValue, "route": routePattern ?? "unmatched", "status": String(status)]
        guard let counter = try? registry.counter("test_requests_total", labels: labels),
              let histogram = try? registry.histogram("test_request_seconds", labels: ["route": routePattern ?? "unmatched"])
        else { return nil }
        return RequestSeries(requests: counter, duration: histogram)
    }
}

struct RequestSeriesCacheTests {
    @Test func resolvesEachLabelSetOnce() {
        let metrics = CountingRequestMetrics()
        var cache = RequestSeriesCache(metrics: metrics)
        let routes: [String?] = ["/sns", "/n/{n}", nil]
        for n in 0..<300 {
            let route = routes[n % 3]
            let status = n % 2 == 0 ? 200 : 404
            cache.series(method: n % 5 == 0 ? .GET : .POST, routePattern: route, status: status)?.record(durationSeconds: 0.001)
        }
        #expect(metrics.lookups == 12)  // 3 routes × 2 statuses × 2 methods
        let text = metrics.registry.render()
        #expect(text.contains(#"test_requests_total{method="POST",route="/sns",status="200"} "#))
        #expect(text.contains(#"test_request_seconds_count{route="unmatched"} 100"#))
    }

    @Test func stopsCachingAtCapacityButKeepsCounting() {
        let metrics = CountingRequestMetrics()
        var cache = RequestSeriesCache(metrics: metrics)
        for round in 0..<2 {
            for n in 0..<(RequestSeriesCache.capacity + 10) {
                cache.series(method: .GET, routePattern: "/r\(n)", status: 400)?.record(durationSeconds: 0)
            }
            #expect(metrics.lookups == (RequestSeriesCache.capacity + 10) + round * 10)
        }
        #expect(metrics.registry.render().contains(#"test_requests_total{method="GET",route="/r70",status="400"} 2"#))
    }

    @Test func methodsOutsideTheStandardSetShareOneSeries() {
        // Methods are client input: 200 invented tokens must not become 200 series.
        let metrics = CountingRequestMetrics()
        var cache = RequestSeriesCache(metrics: metrics)
        for n in 0..<200 {
            cache.series(method: HTTPMethod("M\(n)"), routePattern: nil, status: 405)?.record(durationSeconds: 0)
        }
        cache.series(method: .DELETE, routePattern: nil, status: 405)?.record(durationSeconds: 0)
        #expect(metrics.lookups == 2)
        let text = metrics.registry.render()
        #expect(text.contains(#"test_requests_total{method="other",route="unmatched",status="405"} 200"#))
        #expect(text.contains(#"test_requests_total{method="DELETE",route="unmatched",status="405"} 1"#))
        #expect(!text.contains("M1"))
    }

    @Test func serverCountsEveryRequestByRouteAndStatus() async throws {
        let metrics = CountingRequestMetrics()
        try await withServer(echoRouter(), configure: { $0.requestMetrics = metrics }) { server in
            let port = server.port
            try await offPool {
                let c = try RawClient(port: port)
                for n in 0..<10 {
                    #expect(try c.roundTrip("GET /n/\(n) HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
                }
                #expect(try c.roundTrip("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n").status == 404)
                let bad = try RawClient(port: port)
                #expect(try bad.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n").status == 400)
            }
        }
        let text = metrics.registry.render()
        #expect(text.contains(#"test_requests_total{method="GET",route="/n/{n}",status="200"} 10"#))
        #expect(text.contains(#"test_requests_total{method="GET",route="unmatched",status="404"} 1"#))
        #expect(text.contains(#"test_requests_total{method="-",route="unmatched",status="400"} 1"#))
        #expect(text.contains(#"test_request_seconds_count{route="/n/{n}"} 10"#))
    }
}
