extension Schema {
    /// When each suppression row was last written, by the store's clock (Unix ms; NULL for rows older than
    /// this version). The SES push pages on it: `last_seen` is SES's event time, and a bounce SNS delivers a
    /// day late (a backlog after an outage) was older than the previous pass and never pushed.
    static let v12 = Migration(version: 12, name: "suppressions_changed_at", sql: """
        ALTER TABLE suppressions ADD COLUMN changed_at INTEGER;
        """)
}
