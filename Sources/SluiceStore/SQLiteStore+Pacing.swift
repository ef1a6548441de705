import Foundation
import SluiceCore

extension SQLiteStore: QueuePacingStore {
    public func deferQueued(_ due: [String: Date], at now: Date) async throws(StoreError) -> Int {
        guard !due.isEmpty else { return 0 }
        return try await writer.submit { database throws(StoreError) in
            var changed = 0
            // Never earlier: a retry's backoff (a throttle, say) set since the pass listed the row stands.
            for (id, date) in due {
                changed += try database.run("""
                    UPDATE outbound_messages SET next_attempt_at = max(next_attempt_at, ?2), updated_at = ?3
                    WHERE id = ?1 AND state = 'queued'
                    """) {
                    $0.bind(id, at: 1)
                    $0.bind(date, at: 2)
                    $0.bind(now, at: 3)
                }
            }
            return changed
        }
    }
}
