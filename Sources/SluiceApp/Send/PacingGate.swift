import Foundation
import SluiceCore

/// Per-ISP pacing and warm-up for the send worker (`pacing.*`), on top of the account limiter.
///
/// `admission` (a per-group GCRA) decides at dispatch which due messages go now and which are made due
/// later in the store (so over-budget gmail mail never blocks yahoo mail at the head of the queue).
/// The account limiter then checks the actual call time against each group's cap per rolling second
/// (`limiterDemand`), so a group stays within its rate even when calls bunch; a group-blocked call waits
/// without holding the slot, so other domains keep the account's rate.
actor PacingGate {
    /// The decision for one due message.
    enum Admission: Equatable {
        /// Dispatch now.
        case go
        /// Make it due at this time instead.
        case later(Date)
    }

    let groups: [DomainGroup]
    let warmups: [WarmupSchedule]
    nonisolated let isEnabled: Bool
    private var admission: GroupPacer
    /// Domain → group lookup for callers outside the actor.
    nonisolated let classifier: GroupPacer
    private var ledger: WarmupLedger
    /// Admission slots already granted to messages that were deferred to them (id → slot).
    private var granted: [String: Date] = [:]
    /// Most grants kept (bounded memory).
    private let maxGrants: Int

    init(configuration c: SluiceConfiguration, now: Date, maxGrants: Int = 100_000) {
        self.maxGrants = maxGrants
        let groups = c.strings("pacing.groups").compactMap(DomainGroup.init(parsing:))
        let initial = c.int("pacing.warmup_initial_daily"), factor = c.double("pacing.warmup_factor"), ceiling = c.int("pacing.warmup_max_daily")
        let warmups = c.strings("pacing.warmup_identities").compactMap {
            WarmupSchedule(parsing: $0, initialDailyCap: initial, factor: factor, maxDailyCap: ceiling)
        }
        self.groups = groups
        self.warmups = warmups
        isEnabled = !groups.isEmpty || !warmups.isEmpty
        admission = GroupPacer(groups: groups, now: now)
        classifier = GroupPacer(groups: groups, now: now)
        ledger = WarmupLedger(schedules: warmups, now: now)
    }

    /// Seeds today's warm-up counts from the durable hourly send counters (survives restarts).
    func seed(from counters: [HourlyCounter], now: Date) {
        var today: [String: Int] = [:]
        let start = WarmupSchedule.dayStart(of: now)
        for counter in counters where counter.kind == .send && counter.hourStart >= start {
            today[counter.identity.lowercased(), default: 0] += counter.count
        }
        for (identity, count) in today { ledger.seed(identity: identity, sentToday: count, now: now) }
    }

    /// Whether `id` (to `recipients`, from `identity`) may be dispatched now, or when it should be due instead.
    func admit(id: String, recipients: [String], identity: String, now: Date, lead: TimeInterval) -> Admission {
        if let slot = granted[id] {
            if slot <= now.addingTimeInterval(lead) {
                granted[id] = nil
                return .go
            }
            return .later(slot)
        }
        if let renew = ledger.admit(id: id, identity: identity, recipients: recipients.count, now: now) { return .later(renew) }
        let demand = admission.demand(of: recipients)
        guard !demand.isEmpty else { return .go }
        var slot = admission.reserve(demand, earliest: now)
        if slot <= now.addingTimeInterval(lead) { return .go }
        // Bounded memory: a restart or a flood only costs re-reservation, never correctness. The groups'
        // schedules start over with the grants: left pushed out by slots nobody holds any more, they would
        // defer every message of a group that far again when it comes due (hours for a large backlog).
        if granted.count >= maxGrants {
            granted.removeAll()
            admission = GroupPacer(groups: groups, now: now)
            // This message's slot came from the schedule just dropped: taken again from the new one.
            slot = admission.reserve(demand, earliest: now)
            if slot <= now.addingTimeInterval(lead) { return .go }
        }
        granted[id] = slot
        return .later(slot)
    }

    /// Deferred messages whose granted slot has come (at most `limit`, earliest first). The dispatcher puts
    /// them first: the store returns the oldest due rows, and a backlog of ungrouped mail would otherwise
    /// starve mail that pacing made due later.
    func dueGrants(now: Date, lead: TimeInterval, limit: Int) -> [String] {
        let horizon = now.addingTimeInterval(lead)
        return granted.filter { $0.value <= horizon }.sorted { $0.value < $1.value }.prefix(limit).map(\.key)
    }

    /// Forgets a grant whose message is gone (sent, failed or removed).
    func drop(_ id: String) { granted[id] = nil }

    /// Gives back `id`'s warm-up count: it was not sent this time (retry, failure, suppression, pause, lost claim).
    func release(_ id: String, now: Date) { ledger.release(id: id, now: now) }

    /// Lowers `id`'s warm-up count to the recipients it is sent to (some were suppressed at the claim).
    func settle(_ id: String, recipients: Int, now: Date) { ledger.settle(id: id, recipients: recipients, now: now) }

    /// Per-group recipients and cap per rolling second for the account limiter (`SendRateLimiter.reserve`).
    nonisolated func limiterDemand(of recipients: [String]) -> [Int: (n: Int, cap: Int)] {
        var result: [Int: (n: Int, cap: Int)] = [:]
        for (g, n) in classifier.demand(of: recipients) {
            result[g] = (n, max(1, Int(groups[g].ratePerSecond.rounded(.down))))
        }
        return result
    }
}
