import Foundation

/// Sends in the last `length` seconds, so a limiter can guarantee "never more than N in any window".
///
/// A token bucket alone lets `burst + rate` through in one second after idling; this caps the sum exactly.
public struct SendWindow: Sendable, Equatable {
    public let length: TimeInterval
    private var entries: [(at: Date, count: Int)] = []
    private var head = 0
    private var total = 0

    public init(length: TimeInterval = 1) {
        self.length = length
    }

    /// Recipients counted in `(now - length, now]`. Does not forget anything: asking about a later time
    /// (a reservation) must not drop sends that still count at an earlier one.
    public func used(now: Date) -> Int {
        total - expiredCount(before: now).count
    }

    /// Seconds until `n` more fit under `limit` (0 = now; `.infinity` when `n > limit`).
    public func timeUntilFree(_ n: Int, limit: Int, now: Date) -> TimeInterval {
        let (expired, first) = expiredCount(before: now)
        var remaining = total - expired
        if remaining + n <= limit { return 0 }
        guard n <= limit else { return .infinity }
        var index = first
        while index < entries.count {
            remaining -= entries[index].count
            if remaining + n <= limit {
                return max(0, entries[index].at.addingTimeInterval(length).timeIntervalSince(now))
            }
            index += 1
        }
        return length
    }

    /// Records `n` sends at `now`; times must not go backwards.
    public mutating func record(_ n: Int, now: Date) {
        guard n > 0 else { return }
        let (expired, first) = expiredCount(before: now)
        total -= expired
        head = first
        // Compact now and then so the array does not grow without bound.
        if head > 1024, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
        entries.append((now, n))
        total += n
    }

    /// Sends that left the window by `now`, and the index of the first one still in it.
    private func expiredCount(before now: Date) -> (count: Int, first: Int) {
        let cutoff = now.addingTimeInterval(-length)
        var index = head
        var count = 0
        while index < entries.count, entries[index].at <= cutoff {
            count += entries[index].count
            index += 1
        }
        return (count, index)
    }

    public static func == (lhs: SendWindow, rhs: SendWindow) -> Bool {
        lhs.length == rhs.length && lhs.total == rhs.total
    }
}
