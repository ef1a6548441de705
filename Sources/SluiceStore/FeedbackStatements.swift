import SluiceCore

/// The statements of an SNS ingest job, prepared once per write connection (`Database.statements`), so
/// the hot path never looks a statement up by its SQL text.
final class FeedbackStatements {
    let insertMessage: Statement
    let suppressions: Statement
    let softBounce: Statement
    let setSoftBounce: Statement
    let clearSoftBounce: Statement
    let removeSuppression: Statement
    let insertHistory: Statement
    let historyHolds: Statement
    let mergeSuppression: SuppressionRows.MergeStatements
    /// The connection's pack of SNS bodies for the open transaction.
    let auditPack: AuditPackBuffer
    /// The hourly counts the open transaction's events add, written before its COMMIT.
    let counters: CounterBuffer
    /// The `suppression_counts` changes of the open transaction, written before its COMMIT.
    let suppressionCounts: SuppressionCountBuffer

    /// The set of `database`, prepared on first use.
    static func of(_ database: Database) throws(StoreError) -> FeedbackStatements {
        try database.statements(FeedbackStatements.self) { database throws(StoreError) in try FeedbackStatements(database) }
    }

    private init(_ database: Database) throws(StoreError) {
        insertMessage = try database.prepare("""
            INSERT INTO sns_messages (message_id, type, topic_arn, sns_timestamp, received_at, endpoint, event_count, raw, raw_format,
                pack_id, pack_offset, pack_length)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (sns_timestamp, message_id) DO NOTHING
            """)
        auditPack = database.transactionBuffer(AuditPackBuffer.self) { AuditPackBuffer() }
        suppressions = try database.prepare("SELECT \(SuppressionRows.columns) FROM suppressions WHERE address = ?1")
        softBounce = try database.prepare("SELECT count, window_start, last_bounce, last_subtype FROM soft_bounces WHERE address = ?1")
        setSoftBounce = try database.prepare("""
            INSERT INTO soft_bounces (address, count, window_start, last_bounce, last_subtype) VALUES (?1, ?2, ?3, ?4, ?5)
            ON CONFLICT (address) DO UPDATE SET count = excluded.count, window_start = excluded.window_start,
                last_bounce = excluded.last_bounce, last_subtype = excluded.last_subtype
            """)
        clearSoftBounce = try database.prepare("DELETE FROM soft_bounces WHERE address = ?1")
        removeSuppression = try database.prepare("DELETE FROM suppressions WHERE address = ?1 AND scope = ?2 AND reason = ?3")
        insertHistory = try database.prepare("""
            INSERT INTO history (address, kind, original_address, ses_message_id, event_at, identity, subtype, detail,
                scope, raw_type, outcome, source, recorded_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
            """)
        historyHolds = try database.prepare("""
            SELECT 1 FROM history WHERE ses_message_id = ?1 AND address = ?2 AND kind = ?3 AND event_at = ?4 LIMIT 1
            """)
        mergeSuppression = try SuppressionRows.MergeStatements(database)
        counters = database.transactionBuffer(CounterBuffer.self) { CounterBuffer() }
        suppressionCounts = database.transactionBuffer(SuppressionCountBuffer.self) { SuppressionCountBuffer() }
    }
}
