import Foundation

/// Counts sends per warming identity per UTC day and says when a message fits its schedule. Pure.
public struct WarmupLedger: Sendable {
    public let schedules: [String: WarmupSchedule]
    private var day: Date
    private var used: [String: Int] = [:]

    public init(schedules: [WarmupSchedule], now: Date) {
        self.schedules = Dictionary(schedules.map { ($0.identity, $0) }, uniquingKeysWith: { first, _ in first })
        day = WarmupSchedule.dayStart(of: now)
    }

    /// Sends already made today (seeded from durable counters at start).
    public mutating func seed(identity: String, sentToday: Int, now: Date) {
        roll(to: now)
        used[identity.lowercased()] = max(used[identity.lowercased()] ?? 0, sentToday)
    }

    /// Nil when `n` more recipients from `identity` fit today's cap (and counts them); otherwise the next
    /// UTC midnight, when the cap renews. A message larger than a whole day's cap still goes out alone
    /// on a fresh day rather than waiting forever.
    public mutating func admit(identity: String, recipients n: Int, now: Date) -> Date? {
        roll(to: now)
        let key = identity.lowercased()
        guard let schedule = schedules[key], let cap = schedule.dailyCap(at: now) else { return nil }
        let sofar = used[key] ?? 0
        if sofar + n <= cap || (sofar == 0 && cap > 0) {
            used[key] = sofar + n
            return nil
        }
        return day.addingTimeInterval(86_400)
    }

    /// Sends counted today for `identity`.
    public func usedToday(_ identity: String) -> Int { used[identity.lowercased()] ?? 0 }

    private mutating func roll(to now: Date) {
        let today = WarmupSchedule.dayStart(of: now)
        if today > day {
            day = today
            used = [:]
        }
    }
}
