extension PGSchema {
    /// SNS subscriptions per topic and endpoint, with the signed Timestamp of the message each state comes
    /// from (see the SQLite store's `Schema.v13`).
    static let v7 = PGMigration(version: 7, name: "subscriptions_per_endpoint", sql: """
        ALTER TABLE sns_subscriptions DROP CONSTRAINT sns_subscriptions_pkey;
        ALTER TABLE sns_subscriptions ADD PRIMARY KEY (topic_arn, endpoint);
        ALTER TABLE sns_subscriptions ADD COLUMN signed_at BIGINT;
        """)
}
