import Foundation

/// Counts recipients per warming identity per UTC day and says when a message fits its schedule. Pure.
///
/// Each admitted message holds a reservation under its id until it is sent (kept) or not sent after all
/// (released: retry, failure, suppression, pause, lost claim). A message admitted again the same day, as
/// a retry is, is not counted twice, so retries never use up the day's cap.
public struct WarmupLedger: Sendable {
    public let schedules: [String: WarmupSchedule]
    private var day: Date
    private var used: [String: Int] = [:]
    /// Today's reservations: message id → (identity key, recipients counted).
    private var reserved: [String: (identity: String, recipients: Int)] = [:]

    public init(schedules: [WarmupSchedule], now: Date) {
        self.schedules = Dictionary(schedules.map { ($0.identity, $0) }, uniquingKeysWith: { first, _ in first })
        day = WarmupSchedule.dayStart(of: now)
    }

    /// Sends already made today (seeded from durable counters at start).
    public mutating func seed(identity: String, sentToday: Int, now: Date) {
        roll(to: now)
        used[identity.lowercased()] = max(used[identity.lowercased()] ?? 0, sentToday)
    }

    /// Nil when message `id`'s `n` recipients from `identity` fit today's cap (and reserves them, once per
    /// id and day); otherwise the next UTC midnight, when the cap renews. A message larger than a whole
    /// day's cap still goes out alone on a fresh day rather than waiting forever.
    public mutating func admit(id: String, identity: String, recipients n: Int, now: Date) -> Date? {
        roll(to: now)
        let key = identity.lowercased()
        guard let schedule = schedules[key], let cap = schedule.dailyCap(at: now) else { return nil }
        if reserved[id] != nil { return nil }
        let sofar = used[key] ?? 0
        if sofar + n <= cap || (sofar == 0 && cap > 0) {
            used[key] = sofar + n
            reserved[id] = (key, n)
            return nil
        }
        return day.addingTimeInterval(86_400)
    }

    /// Gives back message `id`'s reservation: it was not sent (it may be admitted again later).
    public mutating func release(id: String, now: Date) {
        roll(to: now)
        guard let held = reserved.removeValue(forKey: id) else { return }
        used[held.identity] = max(0, (used[held.identity] ?? 0) - held.recipients)
    }

    /// Lowers message `id`'s reservation to the `n` recipients actually sent (some were dropped at the claim).
    public mutating func settle(id: String, recipients n: Int, now: Date) {
        roll(to: now)
        guard let held = reserved[id], n < held.recipients else { return }
        reserved[id] = (held.identity, max(0, n))
        used[held.identity] = max(0, (used[held.identity] ?? 0) - (held.recipients - max(0, n)))
    }

    /// Recipients counted today for `identity`: sent plus reserved.
    public func usedToday(_ identity: String) -> Int { used[identity.lowercased()] ?? 0 }

    private mutating func roll(to now: Date) {
        let today = WarmupSchedule.dayStart(of: now)
        if today > day {
            day = today
            used = [:]
            reserved = [:]
        }
    }
}
