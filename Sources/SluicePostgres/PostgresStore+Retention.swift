import Foundation
import SluiceCore

extension PostgresStore: OperationalRetentionStore {
    public func purgeFinishedMessages(olderThan cutoff: Date) async throws(StoreError) -> Int {
        // created_at drives the index range (outbound_created); updated_at >= created_at keeps the rest exact.
        // The condition again outside the subquery: see `deleteInChunks`.
        try await deleteInChunks("""
            DELETE FROM outbound_messages
            WHERE created_at < $1 AND updated_at < $1 AND state IN ('sent', 'failed', 'suppressed')
                AND ctid = ANY (ARRAY(SELECT ctid FROM outbound_messages
                    WHERE created_at < $1 AND updated_at < $1 AND state IN ('sent', 'failed', 'suppressed') LIMIT $2))
            """, cutoff: cutoff)
    }

    public func purgeHourlyCounters(olderThan cutoff: Date) async throws(StoreError) -> Int {
        try await deleteInChunks("""
            DELETE FROM hourly_counters WHERE hour_start < $1
                AND ctid = ANY (ARRAY(SELECT ctid FROM hourly_counters WHERE hour_start < $1 LIMIT $2))
            """, cutoff: cutoff)
    }
}
