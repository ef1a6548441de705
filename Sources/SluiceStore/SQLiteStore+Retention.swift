import Foundation
import SluiceCore

extension SQLiteStore: OperationalRetentionStore {
    /// Deletes messages in a final state (sent, failed, suppressed) created and last updated before `cutoff`,
    /// in writer jobs of at most 5,000 rows; returns how many.
    ///
    /// Keep `cutoff` older than the idempotency window: a replayed Idempotency-Key answers with its message's
    /// id, which must still resolve (the maintenance worker enforces at least 2 days against the 25 h window).
    public func purgeFinishedMessages(olderThan cutoff: Date) async throws(StoreError) -> Int {
        // created_at drives the index range (outbound_created); updated_at >= created_at keeps the rest exact.
        try await deleteInChunks("""
            DELETE FROM outbound_messages WHERE rowid IN (SELECT rowid FROM outbound_messages
                WHERE created_at < ?1 AND updated_at < ?1 AND state IN ('sent', 'failed', 'suppressed') LIMIT ?2)
            """, cutoff: cutoff)
    }

    /// Deletes hourly counters of hours starting before `cutoff`, in bounded writer jobs; returns how many.
    public func purgeHourlyCounters(olderThan cutoff: Date) async throws(StoreError) -> Int {
        try await deleteInChunks("""
            DELETE FROM hourly_counters WHERE (hour_start, identity, kind) IN (SELECT hour_start, identity, kind
                FROM hourly_counters WHERE hour_start < ?1 LIMIT ?2)
            """, cutoff: cutoff)
    }
}
