extension PGSchema {
    /// When each suppression row was last written (Unix ms by the server's clock; NULL for older rows): the
    /// SES push pages on it rather than on `last_seen`, SES's event time (see the SQLite store's `Schema.v12`).
    static let v6 = PGMigration(version: 6, name: "suppressions_changed_at", sql: """
        ALTER TABLE suppressions ADD COLUMN changed_at BIGINT;
        """)
}
