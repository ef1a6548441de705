import Synchronization

/// A thread-safe set of metrics rendered in the Prometheus text format 0.0.4.
///
/// Register once and keep the returned handle: `counter(_:help:labels:)` takes a lock and builds a key,
/// while `Counter.increment()` on the handle is a single relaxed atomic add.
public final class MetricsRegistry: Sendable {
    /// The `Content-Type` of `render()` output.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    enum Series: Sendable {
        case counter(Counter)
        case gauge(Gauge)
        case histogram(Histogram)
    }

    struct Family: Sendable {
        var help: String
        var kind: Kind
        var buckets: [Double]?
        /// Keyed by the rendered label string; values keep the sorted pairs for rendering `le`.
        var series: [String: (labels: [(String, String)], series: Series)]
    }

    private let families = Mutex<[String: Family]>([:])

    public init() {}

    /// The counter `name` with `labels`, created on first use.
    public func counter(_ name: String, help: String = "", labels: [String: String] = [:]) throws(MetricsError) -> Counter {
        let series = try register(name, help: help, kind: .counter, buckets: nil, labels: labels) { .counter(Counter()) }
        guard case .counter(let c) = series else { throw MetricsError(.typeConflict, "\(name) is not a counter") }
        return c
    }

    /// The gauge `name` with `labels`, created on first use.
    public func gauge(_ name: String, help: String = "", labels: [String: String] = [:]) throws(MetricsError) -> Gauge {
        let series = try register(name, help: help, kind: .gauge, buckets: nil, labels: labels) { .gauge(Gauge()) }
        guard case .gauge(let g) = series else { throw MetricsError(.typeConflict, "\(name) is not a gauge") }
        return g
    }

    /// The histogram `name` with `labels` and `buckets` (upper bounds, seconds for durations), created on first use.
    /// Every label set of one histogram shares the same buckets.
    public func histogram(
        _ name: String, help: String = "", buckets: [Double] = Histogram.defaultBuckets, labels: [String: String] = [:]
    ) throws(MetricsError) -> Histogram {
        var bounds = buckets
        if bounds.last == .infinity { bounds.removeLast() }
        guard bounds.allSatisfy(\.isFinite), zip(bounds, bounds.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw MetricsError(.invalidBuckets, "buckets of \(name) must be finite and strictly increasing")
        }
        guard labels["le"] == nil else {
            throw MetricsError(.invalidLabelName, "label le is reserved on histogram \(name)")
        }
        let series = try register(name, help: help, kind: .histogram, buckets: bounds, labels: labels) {
            .histogram(Histogram(buckets: bounds))
        }
        guard case .histogram(let h) = series else { throw MetricsError(.typeConflict, "\(name) is not a histogram") }
        return h
    }

    private func register(
        _ name: String, help: String, kind: Kind, buckets: [Double]?, labels: [String: String], make: () -> Series
    ) throws(MetricsError) -> Series {
        guard PrometheusText.isValidMetricName(name) else {
            throw MetricsError(.invalidName, "invalid metric name")
        }
        for key in labels.keys where !PrometheusText.isValidLabelName(key) {
            throw MetricsError(.invalidLabelName, "invalid label name on \(name)")
        }
        let pairs = labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let key = PrometheusText.labelString(pairs)
        let result: Result<Series, MetricsError> = families.withLock { families in
            var family = families[name] ?? Family(help: help, kind: kind, buckets: buckets, series: [:])
            guard family.kind == kind else {
                return .failure(MetricsError(.typeConflict, "\(name) is already registered as a \(family.kind.rawValue)"))
            }
            guard family.buckets == buckets else {
                return .failure(MetricsError(.bucketConflict, "\(name) is already registered with other buckets"))
            }
            if let existing = family.series[key] { return .success(existing.series) }
            let series = make()
            family.series[key] = (pairs, series)
            families[name] = family
            return .success(series)
        }
        return try result.get()
    }

    /// Stops exporting the series `name` with `labels`, and the family with its last series; no-op when absent.
    /// A handle obtained earlier keeps working but is no longer rendered; registering the series again
    /// (`gauge(_:help:labels:)` and friends) creates a fresh one.
    public func remove(_ name: String, labels: [String: String] = [:]) {
        let key = PrometheusText.labelString(labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        families.withLock { families in
            guard var family = families[name], family.series.removeValue(forKey: key) != nil else { return }
            // An empty family would still render its HELP and TYPE lines.
            families[name] = family.series.isEmpty ? nil : family
        }
    }

    /// All metrics in the text exposition format, families sorted by name and series by labels.
    public func render() -> String {
        let copy = families.withLock { $0 }
        var out = ""
        for name in copy.keys.sorted() {
            guard let family = copy[name] else { continue }
            if !family.help.isEmpty {
                out += "# HELP \(name) \(PrometheusText.escapeHelp(family.help))\n"
            }
            out += "# TYPE \(name) \(family.kind.rawValue)\n"
            for key in family.series.keys.sorted() {
                guard let entry = family.series[key] else { continue }
                switch entry.series {
                case .counter(let c):
                    out += "\(name)\(key) \(c.value)\n"
                case .gauge(let g):
                    out += "\(name)\(key) \(PrometheusText.formatValue(g.value))\n"
                case .histogram(let h):
                    out += Self.render(h, name: name, labels: entry.labels, key: key)
                }
            }
        }
        return out
    }

    private static func render(_ h: Histogram, name: String, labels: [(String, String)], key: String) -> String {
        let snap = h.snapshot()
        var out = ""
        var cumulative: UInt64 = 0
        for (i, bound) in h.buckets.enumerated() {
            cumulative += snap.counts[i]
            let le = PrometheusText.labelString(labels + [("le", PrometheusText.formatValue(bound))])
            out += "\(name)_bucket\(le) \(cumulative)\n"
        }
        let inf = PrometheusText.labelString(labels + [("le", "+Inf")])
        out += "\(name)_bucket\(inf) \(snap.count)\n"
        out += "\(name)_sum\(key) \(PrometheusText.formatValue(snap.sum))\n"
        out += "\(name)_count\(key) \(snap.count)\n"
        return out
    }
}
