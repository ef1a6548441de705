extension Schema {
    /// SNS subscriptions per topic *and* endpoint (a topic may feed `/sns` and `/sns/new` while moving), with
    /// the signed Timestamp of the message each state comes from, so an older delivery never overwrites a
    /// newer state. Existing rows keep their endpoint; `signed_at` is NULL for them.
    static let v13 = Migration(version: 13, name: "subscriptions_per_endpoint", sql: """
        CREATE TABLE sns_subscriptions_v13 (
            topic_arn TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            state TEXT NOT NULL,
            subscription_arn TEXT,
            subscribe_url TEXT,
            token TEXT,
            updated_at INTEGER NOT NULL,
            signed_at INTEGER,
            PRIMARY KEY (topic_arn, endpoint)
        ) WITHOUT ROWID;
        INSERT INTO sns_subscriptions_v13 (topic_arn, endpoint, state, subscription_arn, subscribe_url, token, updated_at)
            SELECT topic_arn, endpoint, state, subscription_arn, subscribe_url, token, updated_at FROM sns_subscriptions;
        DROP TABLE sns_subscriptions;
        ALTER TABLE sns_subscriptions_v13 RENAME TO sns_subscriptions;
        """)
}
