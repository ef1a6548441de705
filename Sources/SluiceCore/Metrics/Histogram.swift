import Synchronization

/// Observations counted into fixed buckets (upper bounds in base units, seconds for durations); one label set.
public final class Histogram: Sendable {
    /// Prometheus client defaults, in seconds.
    public static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Upper bounds, strictly increasing, without +Inf.
    public let buckets: [Double]

    struct Snapshot: Sendable {
        /// Per-bucket (non-cumulative) counts; the last entry is the +Inf overflow.
        var counts: [UInt64]
        var sum: Double
        var count: UInt64
    }

    private let state: Mutex<Snapshot>

    init(buckets: [Double]) {
        self.buckets = buckets
        self.state = Mutex(Snapshot(counts: Array(repeating: 0, count: buckets.count + 1), sum: 0, count: 0))
    }

    /// Records one observation (seconds for durations).
    public func observe(_ value: Double) {
        // Bucket bounds are inclusive upper bounds (`le`); a short linear scan beats a search for ~10 buckets.
        var index = buckets.count
        for (i, bound) in buckets.enumerated() where value <= bound {
            index = i
            break
        }
        state.withLock {
            $0.counts[index] &+= 1
            $0.sum += value
            $0.count &+= 1
        }
    }

    /// Records a duration in seconds.
    public func observe(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        observe(Double(seconds) + Double(attoseconds) * 1e-18)
    }

    /// A consistent copy of the counts, sum and count.
    func snapshot() -> Snapshot {
        state.withLock { $0 }
    }
}
