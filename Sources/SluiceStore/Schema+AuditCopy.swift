extension Schema {
    /// Audit copies committed uncompressed at ingest and compressed later by a background worker.
    ///
    /// Deflating every SNS body while SNS waited for the 200 was a fifth of the endpoint's CPU; now the
    /// body goes into the synced commit as received (`raw_format` 0) and `AuditCopyCompressor` swaps it
    /// for its zlib stream (1) in a later commit. Rows written before v5 are zlib, hence the default.
    /// (v4 belongs to another change; migrations only need increasing versions, gaps are fine.)
    static let v5 = Migration(version: 5, name: "sns_audit_copy_format", sql: """
        ALTER TABLE sns_messages ADD COLUMN raw_format INTEGER NOT NULL DEFAULT 1;
        -- Only the rows still waiting for compression: small, and empty once the worker caught up.
        CREATE INDEX sns_messages_raw_pending ON sns_messages (received_at) WHERE raw_format = 0;
        """)
}

extension Schema {
    /// The SNS bodies of one group commit in one pack row (`AuditPackBuffer`), deflated together later.
    ///
    /// A ~2 KB body in its own row filled a 4 KiB page alone (a WAL frame per message) and was deflated
    /// alone (~50 µs, against ~14 µs per body in a stream of ~25). A packed message row keeps an empty `raw`,
    /// `raw_format` 2 and where its body lies in the pack; rows written before keep their own copy.
    static let v9 = Migration(version: 9, name: "sns_audit_packs", sql: """
        CREATE TABLE sns_audit_packs (
            id INTEGER PRIMARY KEY,
            -- received_at of the newest member: once retention passes it, every member is purged.
            created_at INTEGER NOT NULL,
            message_count INTEGER NOT NULL,
            raw_format INTEGER NOT NULL,  -- 0: the bodies one after the other; 1: their zlib stream
            data BLOB NOT NULL
        );
        CREATE INDEX sns_audit_packs_created ON sns_audit_packs (created_at);
        CREATE INDEX sns_audit_packs_pending ON sns_audit_packs (id, message_count) WHERE raw_format = 0;
        ALTER TABLE sns_messages ADD COLUMN pack_id INTEGER;
        ALTER TABLE sns_messages ADD COLUMN pack_offset INTEGER;
        ALTER TABLE sns_messages ADD COLUMN pack_length INTEGER;
        """)
}
