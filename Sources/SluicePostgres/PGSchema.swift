/// The PostgreSQL schema: the SQLite store's tables with the same meaning (dates as BIGINT Unix
/// milliseconds, blobs as BYTEA), plus the shared state several instances need. Append-only.
enum PGSchema {
    static let migrations: [PGMigration] = [v1, v2, v4]

    static let v1 = PGMigration(version: 1, name: "feedback_suppressions_and_sending", sql: """
        CREATE TABLE sns_messages (
            message_id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            topic_arn TEXT NOT NULL,
            sns_timestamp BIGINT NOT NULL,
            received_at BIGINT NOT NULL,
            endpoint TEXT NOT NULL,
            event_count INTEGER NOT NULL,
            raw BYTEA NOT NULL
        );
        CREATE INDEX sns_messages_received ON sns_messages (received_at);
        CREATE INDEX sns_messages_type_received ON sns_messages (type, received_at);

        CREATE TABLE suppressions (
            address TEXT NOT NULL COLLATE "C",
            scope TEXT NOT NULL COLLATE "C",
            original_address TEXT NOT NULL,
            reason TEXT NOT NULL,
            detail TEXT,
            first_seen BIGINT NOT NULL,
            last_seen BIGINT NOT NULL,
            count INTEGER NOT NULL,
            source TEXT NOT NULL,
            expires_at BIGINT,
            domain TEXT NOT NULL,
            PRIMARY KEY (address, scope)
        );
        CREATE INDEX suppressions_reason ON suppressions (reason, address, scope);
        CREATE INDEX suppressions_domain ON suppressions (domain, address, scope);
        CREATE INDEX suppressions_expiry ON suppressions (expires_at, reason) WHERE expires_at IS NOT NULL;

        CREATE TABLE soft_bounces (
            address TEXT PRIMARY KEY,
            count INTEGER NOT NULL,
            window_start BIGINT NOT NULL,
            last_bounce BIGINT NOT NULL,
            last_subtype TEXT
        );

        CREATE TABLE history (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            address TEXT NOT NULL,
            kind TEXT NOT NULL,
            original_address TEXT NOT NULL,
            ses_message_id TEXT NOT NULL,
            event_at BIGINT NOT NULL,
            identity TEXT NOT NULL,
            subtype TEXT,
            detail TEXT,
            scope TEXT NOT NULL,
            raw_type TEXT NOT NULL,
            outcome TEXT NOT NULL,
            source TEXT NOT NULL,
            recorded_at BIGINT NOT NULL
        );
        CREATE INDEX history_address ON history (address, id);
        CREATE INDEX history_recorded ON history (recorded_at);
        CREATE INDEX history_ses_message ON history (ses_message_id);

        CREATE TABLE hourly_counters (
            hour_start BIGINT NOT NULL,
            identity TEXT NOT NULL COLLATE "C",
            kind TEXT NOT NULL COLLATE "C",
            -- Several rows per counter, summed on read: instances bumping the same hour do not queue on
            -- one row lock until their commits.
            shard SMALLINT NOT NULL,
            count BIGINT NOT NULL,
            PRIMARY KEY (hour_start, identity, kind, shard)
        );

        CREATE TABLE certificates (
            url TEXT PRIMARY KEY,
            pem BYTEA NOT NULL,
            expires_at BIGINT NOT NULL,
            stored_at BIGINT NOT NULL
        );

        CREATE TABLE sns_subscriptions (
            topic_arn TEXT PRIMARY KEY COLLATE "C",
            endpoint TEXT NOT NULL,
            state TEXT NOT NULL,
            subscription_arn TEXT,
            subscribe_url TEXT,
            token TEXT,
            updated_at BIGINT NOT NULL
        );

        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at BIGINT NOT NULL
        );

        CREATE TABLE write_probe (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            probed_at BIGINT NOT NULL
        );

        CREATE TABLE outbound_messages (
            id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            identity TEXT NOT NULL,
            recipient_count INTEGER NOT NULL,
            payload BYTEA NOT NULL,
            suppressed TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            next_attempt_at BIGINT NOT NULL,
            ses_message_id TEXT,
            error TEXT,
            outbox TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            claimed_at BIGINT
        );
        CREATE INDEX outbound_state_due ON outbound_messages (state, next_attempt_at);
        CREATE INDEX outbound_created ON outbound_messages (created_at);

        CREATE TABLE idempotency_keys (
            key TEXT PRIMARY KEY,
            request_hash TEXT NOT NULL,
            status INTEGER NOT NULL,
            body BYTEA NOT NULL,
            message_id TEXT,
            created_at BIGINT NOT NULL
        );
        CREATE INDEX idempotency_created ON idempotency_keys (created_at);
        """)

    /// Shared send budget: per name (the SES account) the instant, in Unix microseconds, at which the shared
    /// schedule is next free (GCRA). Every instance reserves its sends here, so together they stay under MaxSendRate.
    static let v2 = PGMigration(version: 2, name: "shared_send_budget", sql: """
        CREATE TABLE send_budget (
            name TEXT PRIMARY KEY,
            next_free_us BIGINT NOT NULL
        );
        """)
}
