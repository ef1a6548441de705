import Foundation
import SluiceCore

extension PostgresStore: QueuePacingStore {
    public func deferQueued(_ due: [String: Date], at now: Date) async throws(StoreError) -> Int {
        guard !due.isEmpty else { return 0 }
        return try await write { connection throws(StoreError) in
            var changed = 0
            // Sorted ids: two instances deferring overlapping sets lock rows in the same order (no deadlock).
            // Never earlier: a retry's backoff (a throttle, say) set since the pass listed the row stands.
            for (id, date) in due.sorted(by: { $0.key < $1.key }) {
                changed += try connection.execute("""
                    UPDATE outbound_messages SET next_attempt_at = GREATEST(next_attempt_at, $2::bigint), updated_at = $3
                    WHERE id = $1 AND state = 'queued'
                    """, [.text(id), .date(date), .date(now)]).affectedRows
            }
            return changed
        }
    }
}
