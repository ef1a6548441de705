import Foundation
import SluiceCore

extension PostgresStore: SharedSendBudget {
    /// Longest wait a refusal suggests: SES's figure may drop at the next refresh, and limits change.
    static let quotaRetryCap: TimeInterval = 60

    public func reserveSendSlot(name: String, seconds: TimeInterval, at now: Date) async throws(StoreError) -> Date {
        switch try await reserveSend(name: name, seconds: seconds, recipients: 0, dailyLimit: -1, at: now) {
        case .granted(let start): return start
        case .refused: throw StoreError(.io, "send slot refused without a quota")  // cannot happen: 0 recipients always fit
        }
    }

    public func reserveSend(
        name: String, seconds: TimeInterval, recipients: Int, dailyLimit: Double, at now: Date
    ) async throws(StoreError) -> SharedSendGrant {
        guard seconds >= 0, seconds.isFinite, seconds <= 86_400 else { throw StoreError(.invalidInput, "send reservation must be 0-86400 s") }
        guard recipients >= 0, dailyLimit.isFinite else { throw StoreError(.invalidInput, "send reservation needs recipients ≥ 0 and a finite limit") }
        let nowMicros = Self.micros(now)
        let cost = Int64((seconds * 1_000_000).rounded(.up))
        // A fractional limit allows its whole part (SES reports whole numbers as doubles).
        let limit = dailyLimit < 0 ? Int64(-1) : Int64(dailyLimit.rounded(.down))
        let parameters: [PGValue] = [
            .text(name), .text(String(nowMicros)), .text(String(cost)), .int(recipients), .text(String(limit)),
            .text(String(SharedQuotaRule.minute(of: now))), .text(String(SharedQuotaRule.expiredThrough(now: now))),
            .text(String(Self.micros(now.addingTimeInterval(-SharedQuotaRule.seedLifetime)))),
        ]
        // One call, one round trip, its own transaction: the function locks the budget row, checks the quota
        // (`SharedQuotaRule`) and takes the slot; see PGSchema.v3.
        let row = try await read { connection throws(StoreError) in
            let result = try connection.execute("SELECT o_granted, o_start_us, o_used FROM sluice_reserve_send($1, $2, $3, $4, $5, $6, $7, $8)", parameters)
            return (granted: result.bool(0, 0), start: result.int64(0, 1), used: result.int(0, 2))
        }
        if row.granted { return .granted(start: Date(timeIntervalSince1970: Double(row.start) / 1_000_000)) }
        let state = try await quotaLedger(name: name, at: now)
        let wait = SharedQuotaRule.retryDelay(
            recipients, limit: Double(limit), buckets: state.buckets, reservedTotal: state.reservedTotal, seed: state.seed, now: now,
            cap: Self.quotaRetryCap)
        // Granted to someone else's return between the two reads: try again soon rather than at once.
        return .refused(used: row.used, retryAfter: max(wait, 0.05))
    }

    public func returnSend(name: String, recipients: Int, reservedAt: Date) async throws(StoreError) {
        guard recipients > 0 else { return }
        let minute = SharedQuotaRule.minute(of: reservedAt)
        try await read { connection throws(StoreError) in
            _ = try connection.execute("SELECT sluice_return_send($1, $2, $3)", [.text(name), .text(String(minute)), .int(recipients)])
        }
    }

    public func sendQuotaMark(name: String) async throws(StoreError) -> Int64 {
        try await read { connection throws(StoreError) in
            let result = try connection.execute("SELECT reserved_total FROM send_budget WHERE name = $1", [.text(name)])
            return result.rowCount == 0 ? 0 : result.int64(0, 0)
        }
    }

    public func seedSendQuota(name: String, seed: QuotaSeed) async throws(StoreError) {
        guard seed.sentLast24Hours >= 0, seed.mark >= 0 else { throw StoreError(.invalidInput, "quota seed must not be negative") }
        let at = Self.micros(seed.at)
        try await read { connection throws(StoreError) in
            // Not a reservation: no row lock is held across it. An older refresh arriving late is ignored.
            _ = try connection.execute("""
                INSERT INTO send_budget (name, next_free_us, seed_sent, seed_mark, seed_at_us) VALUES ($1, $2, $3, $4, $2)
                ON CONFLICT (name) DO UPDATE SET seed_sent = excluded.seed_sent, seed_mark = excluded.seed_mark,
                    seed_at_us = excluded.seed_at_us
                WHERE send_budget.seed_at_us IS NULL OR send_budget.seed_at_us <= excluded.seed_at_us
                """, [.text(name), .text(String(at)), .int(seed.sentLast24Hours), .text(String(seed.mark))])
        }
    }

    public func sendQuotaState(name: String, at now: Date) async throws(StoreError) -> SharedQuotaState {
        let state = try await quotaLedger(name: name, at: now)
        let ledger = state.buckets.reduce(0) { $0 + $1.count }
        return SharedQuotaState(
            ledger: ledger, reservedTotal: state.reservedTotal, seed: state.seed,
            used: SharedQuotaRule.used(ledger: ledger, reservedTotal: state.reservedTotal, seed: state.seed, now: now))
    }

    /// Live buckets, running total and seed, read in one statement (one snapshot).
    private func quotaLedger(name: String, at now: Date) async throws(StoreError) -> (buckets: [(minute: Int64, count: Int)], reservedTotal: Int64, seed: QuotaSeed?) {
        let floor = SharedQuotaRule.expiredThrough(now: now)
        return try await read { connection throws(StoreError) in
            let result = try connection.execute("""
                SELECT b.reserved_total, b.seed_sent, b.seed_mark, b.seed_at_us, q.minute, q.count
                FROM send_budget b LEFT JOIN send_quota q ON q.name = b.name AND q.minute > $2 AND q.count > 0
                WHERE b.name = $1 ORDER BY q.minute
                """, [.text(name), .text(String(floor))])
            guard result.rowCount > 0 else { return ([], 0, nil) }
            let seed = result.isNull(0, 3) ? nil : QuotaSeed(
                sentLast24Hours: result.int(0, 1), mark: result.int64(0, 2),
                at: Date(timeIntervalSince1970: Double(result.int64(0, 3)) / 1_000_000))
            let buckets = (0..<result.rowCount).filter { !result.isNull($0, 4) }.map { (minute: result.int64($0, 4), count: result.int($0, 5)) }
            return (buckets, result.int64(0, 0), seed)
        }
    }

    static func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down)) }
}
