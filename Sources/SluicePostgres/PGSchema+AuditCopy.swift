extension PGSchema {
    /// As SQLite's v5: audit copies committed uncompressed at ingest (`raw_format` 0) and swapped for
    /// their zlib stream (1) by a background worker; rows written before are zlib, hence the default.
    /// (v3 belongs to another change; versions only need to increase.)
    static let v4 = PGMigration(version: 4, name: "sns_audit_copy_format", sql: """
        ALTER TABLE sns_messages ADD COLUMN raw_format SMALLINT NOT NULL DEFAULT 1;
        CREATE INDEX sns_messages_raw_pending ON sns_messages (received_at) WHERE raw_format = 0;
        """)
}
