/// One event loop's resolved request series, looked up by comparing labels (no hashing): a server
/// has a handful of routes and statuses, and the last hit is tried first.
struct RequestSeriesCache {
    /// Entries kept per loop; past it the series is asked for each time.
    static let capacity = 64

    private struct Entry {
        var status: Int
        var route: String?
        var method: HTTPMethod
        var series: RequestSeries?
    }

    private let metrics: any RequestMetrics
    private var entries: [Entry] = []
    private var last = 0

    init(metrics: any RequestMetrics) {
        self.metrics = metrics
        entries.reserveCapacity(Self.capacity)
    }

    /// The series for these labels, resolved once.
    mutating func series(method requested: HTTPMethod, routePattern: String?, status: Int) -> RequestSeries? {
        // Keyed by the label, not the client's token: unknown methods share one entry (`other`).
        let method = HTTPMethod(requested.metricsLabel)
        if last < entries.count, Self.matches(entries[last], method, routePattern, status) { return entries[last].series }
        for i in entries.indices where Self.matches(entries[i], method, routePattern, status) {
            last = i
            return entries[i].series
        }
        let series = metrics.series(method: method, routePattern: routePattern, status: status)
        if entries.count < Self.capacity {
            entries.append(Entry(status: status, route: routePattern, method: method, series: series))
            last = entries.count - 1
        }
        return series
    }

    private static func matches(_ e: Entry, _ method: HTTPMethod, _ route: String?, _ status: Int) -> Bool {
        // Route patterns and common methods share their storage with the entry, so `==` ends at the
        // first comparison of their bits.
        e.status == status && e.route == route && e.method == method
    }
}
