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
