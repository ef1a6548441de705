extension Schema {
    /// The SNS dedupe keyed by `(sns_timestamp, message_id)` instead of the MessageId alone.
    ///
    /// MessageIds are random UUIDs: each insert into their unique index landed on a page of its own, a third
    /// of the WAL frames a notification wrote (`Benchmarks/IngestFloor`: 1.04 of 3.09 frames). Keyed by the
    /// SNS Timestamp first, the new entries of a group commit land together at the end of the index (2.20
    /// frames and 59 → 40 µs of SQLite time per notification), and the pages a large table needs
    /// for its inserts stay few and in the page cache. A redelivery repeats both fields: AWS documents that a
    /// retry resends the notification under the original MessageId, and Timestamp as "the time (GMT) when
    /// the notification was published", which a message has once (both are signed). Raw delivery, which has
    /// no Timestamp, is stored at 0 (`InboundMessage.storedTimestamp`): its MessageId alone is the key.
    /// A lookup by MessageId alone now scans: only tests and diagnostics do that.
    ///
    /// SQLite drops a UNIQUE column constraint only by rebuilding the table; rowids are kept.
    static let v10 = Migration(version: 10, name: "sns_messages_time_keyed_dedupe", sql: """
        CREATE TABLE sns_messages_v10 (
            message_id TEXT NOT NULL,
            type TEXT NOT NULL,
            topic_arn TEXT NOT NULL,
            sns_timestamp INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            endpoint TEXT NOT NULL,
            event_count INTEGER NOT NULL,
            raw BLOB NOT NULL,
            raw_format INTEGER NOT NULL DEFAULT 1,
            pack_id INTEGER,
            pack_offset INTEGER,
            pack_length INTEGER
        );
        INSERT INTO sns_messages_v10 (rowid, message_id, type, topic_arn, sns_timestamp, received_at, endpoint,
            event_count, raw, raw_format, pack_id, pack_offset, pack_length)
            SELECT rowid, message_id, type, topic_arn, sns_timestamp, received_at, endpoint,
                event_count, raw, raw_format, pack_id, pack_offset, pack_length
            FROM sns_messages ORDER BY rowid;
        DROP TABLE sns_messages;
        ALTER TABLE sns_messages_v10 RENAME TO sns_messages;
        CREATE UNIQUE INDEX sns_messages_dedupe ON sns_messages (sns_timestamp, message_id);
        CREATE INDEX sns_messages_received ON sns_messages (received_at);
        CREATE INDEX sns_messages_raw_pending ON sns_messages (received_at) WHERE raw_format = 0;
        """)
}
