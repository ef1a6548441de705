import Foundation

/// One bar group of the status page chart: totals for a time bucket.
public struct ChartBucket: Sendable, Equatable, Codable {
    public var start: Date
    public var sends: Int
    /// Hard bounces.
    public var bounces: Int
    public var complaints: Int

    public init(start: Date, sends: Int, bounces: Int, complaints: Int) {
        self.start = start
        self.sends = sends
        self.bounces = bounces
        self.complaints = complaints
    }

    /// Buckets of `bucketHours` covering the `days` before `now`, oldest first, ending with the bucket holding `now`.
    public static func series(samples: [CounterSample], now: Date, days: Int = 7, bucketHours: Int = 6) -> [ChartBucket] {
        let width = Double(max(1, bucketHours)) * HourMath.hour
        let lastStart = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / width).rounded(.down) * width)
        let count = max(1, Int((Double(max(1, days)) * 86_400 / width).rounded(.up)))
        let firstStart = lastStart.addingTimeInterval(-Double(count - 1) * width)
        var buckets = (0..<count).map {
            ChartBucket(start: firstStart.addingTimeInterval(Double($0) * width), sends: 0, bounces: 0, complaints: 0)
        }
        for s in samples where s.hourStart >= firstStart && s.hourStart < now {
            let index = Int((s.hourStart.timeIntervalSince(firstStart) / width).rounded(.down))
            guard buckets.indices.contains(index) else { continue }
            switch s.kind {
            case .send: buckets[index].sends += s.count
            case .hardBounce: buckets[index].bounces += s.count
            case .complaint: buckets[index].complaints += s.count
            default: break
            }
        }
        return buckets
    }
}
