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

    /// Recipients counted in `(now - length, now]`.
    public mutating func used(now: Date) -> Int {
        expire(now: now)
        return total
    }

    /// Seconds until `n` more fit under `limit` (0 = now; `.infinity` when `n > limit`).
    public mutating func timeUntilFree(_ n: Int, limit: Int, now: Date) -> TimeInterval {
        expire(now: now)
        if total + n <= limit { return 0 }
        guard n <= limit else { return .infinity }
        var remaining = total
        var index = head
        while index < entries.count {
            remaining -= entries[index].count
            if remaining + n <= limit {
                return max(0, entries[index].at.addingTimeInterval(length).timeIntervalSince(now))
            }
            index += 1
        }
        return length
    }

    public mutating func record(_ n: Int, now: Date) {
        guard n > 0 else { return }
        entries.append((now, n))
        total += n
    }

    private mutating func expire(now: Date) {
        let cutoff = now.addingTimeInterval(-length)
        while head < entries.count, entries[head].at <= cutoff {
            total -= entries[head].count
            head += 1
        }
        // Compact now and then so the array does not grow without bound.
        if head > 1024, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }

    public static func == (lhs: SendWindow, rhs: SendWindow) -> Bool {
        lhs.length == rhs.length && lhs.total == rhs.total
    }
}
