/// The store's schema as an append-only list of migrations: add v2, v3… at the end, never edit a
/// released one. Dates are INTEGER Unix milliseconds.
enum Schema {
    static let migrations: [Migration] = [v1, v2, v3, v4, v5, v6, v8, v9, v10, v11, v12, v13, v14]

    static let v1 = Migration(version: 1, name: "feedback_and_suppressions", sql: """
        -- SNS dedupe log + audit copy. Rowid table: rows carry a blob, too big for WITHOUT ROWID.
        CREATE TABLE sns_messages (
            message_id TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL,
            topic_arn TEXT NOT NULL,
            sns_timestamp INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            endpoint TEXT NOT NULL,
            event_count INTEGER NOT NULL,
            raw BLOB NOT NULL
        );
        CREATE INDEX sns_messages_received ON sns_messages (received_at);

        -- The hot table: point lookups by (address, scope) hit the clustered primary key.
        CREATE TABLE suppressions (
            address TEXT NOT NULL,
            scope TEXT NOT NULL,
            original_address TEXT NOT NULL,
            reason TEXT NOT NULL,
            detail TEXT,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            count INTEGER NOT NULL,
            source TEXT NOT NULL,
            expires_at INTEGER,
            domain TEXT NOT NULL,
            PRIMARY KEY (address, scope)
        ) WITHOUT ROWID;
        CREATE INDEX suppressions_reason ON suppressions (reason, address, scope);
        CREATE INDEX suppressions_domain ON suppressions (domain, address, scope);
        CREATE INDEX suppressions_expiry ON suppressions (expires_at, reason) WHERE expires_at IS NOT NULL;

        -- Rows per reason, kept by triggers so counts never scan millions of rows.
        CREATE TABLE suppression_counts (
            reason TEXT PRIMARY KEY,
            n INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TRIGGER suppressions_counted_insert AFTER INSERT ON suppressions BEGIN
            INSERT INTO suppression_counts (reason, n) VALUES (NEW.reason, 1)
                ON CONFLICT (reason) DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER suppressions_counted_delete AFTER DELETE ON suppressions BEGIN
            UPDATE suppression_counts SET n = n - 1 WHERE reason = OLD.reason;
        END;
        CREATE TRIGGER suppressions_counted_update AFTER UPDATE OF reason ON suppressions
            WHEN OLD.reason <> NEW.reason BEGIN
            UPDATE suppression_counts SET n = n - 1 WHERE reason = OLD.reason;
            INSERT INTO suppression_counts (reason, n) VALUES (NEW.reason, 1)
                ON CONFLICT (reason) DO UPDATE SET n = n + 1;
        END;

        CREATE TABLE soft_bounces (
            address TEXT PRIMARY KEY,
            count INTEGER NOT NULL,
            window_start INTEGER NOT NULL,
            last_bounce INTEGER NOT NULL,
            last_subtype TEXT
        ) WITHOUT ROWID;

        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            address TEXT NOT NULL,
            kind TEXT NOT NULL,
            original_address TEXT NOT NULL,
            ses_message_id TEXT NOT NULL,
            event_at INTEGER NOT NULL,
            identity TEXT NOT NULL,
            subtype TEXT,
            detail TEXT,
            scope TEXT NOT NULL,
            raw_type TEXT NOT NULL,
            outcome TEXT NOT NULL,
            source TEXT NOT NULL,
            recorded_at INTEGER NOT NULL
        );
        CREATE INDEX history_address ON history (address, id);
        CREATE INDEX history_recorded ON history (recorded_at);

        CREATE TABLE hourly_counters (
            hour_start INTEGER NOT NULL,
            identity TEXT NOT NULL,
            kind TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (hour_start, identity, kind)
        ) WITHOUT ROWID;

        CREATE TABLE certificates (
            url TEXT PRIMARY KEY,
            pem BLOB NOT NULL,
            expires_at INTEGER NOT NULL,
            stored_at INTEGER NOT NULL
        );

        CREATE TABLE sns_subscriptions (
            topic_arn TEXT PRIMARY KEY,
            endpoint TEXT NOT NULL,
            state TEXT NOT NULL,
            subscription_arn TEXT,
            subscribe_url TEXT,
            token TEXT,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- One row rewritten by checkWritable() to prove a commit still reaches the disk.
        CREATE TABLE write_probe (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            probed_at INTEGER NOT NULL
        );
        """)
}
