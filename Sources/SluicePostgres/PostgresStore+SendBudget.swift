import Foundation
import SluiceCore

extension PostgresStore: SharedSendBudget {
    public func reserveSendSlot(name: String, seconds: TimeInterval, at now: Date) async throws(StoreError) -> Date {
        guard seconds >= 0, seconds.isFinite, seconds <= 86_400 else { throw StoreError(.invalidInput, "send reservation must be 0-86400 s") }
        let nowMicros = Int64((now.timeIntervalSince1970 * 1_000_000).rounded(.down))
        let cost = Int64((seconds * 1_000_000).rounded(.up))
        let end = try await pool.run { connection throws(StoreError) in
            // One atomic statement on one row (GCRA): the schedule moves to max(next free, now) + cost. Not synced:
            // after a server crash the schedule restarts from now, which only forgets past sends.
            try connection.transaction { () throws(StoreError) -> Int64 in
                try connection.executeScript("SET LOCAL synchronous_commit = off")
                return try connection.execute("""
                    INSERT INTO send_budget (name, next_free_us) VALUES ($1, $2::bigint + $3::bigint)
                    ON CONFLICT (name) DO UPDATE SET next_free_us = GREATEST(send_budget.next_free_us, $2::bigint) + $3::bigint
                    RETURNING next_free_us
                    """, [.text(name), .text(String(nowMicros)), .text(String(cost))]).int64(0, 0)
            }
        }
        return Date(timeIntervalSince1970: Double(end - cost) / 1_000_000)
    }
}
