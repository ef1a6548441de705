/// The PostgreSQL schema: the SQLite store's tables with the same meaning (dates as BIGINT Unix
/// milliseconds, blobs as BYTEA), plus the shared state several instances need. Append-only.
enum PGSchema {
    static let migrations: [PGMigration] = [v1, v2, v3, v4, v5, v6, v7, v8, v9]

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

    /// Shared daily quota (`SharedQuotaRule`): a ledger of recipients reserved per Unix minute, its live sum
    /// and running total kept on the budget row, and SES's latest `SentLast24Hours` with the ledger mark read
    /// before it. `sluice_reserve_send` checks the quota and takes the rate slot in one call (one round trip)
    /// under the budget row's lock; `sluice_return_send` gives unsent recipients back under the same lock.
    /// Both commit without waiting for the WAL flush: the row lock is held until COMMIT returns, and a flush per
    /// reservation would cap every instance together at one reservation per fsync. A server crash can forget
    /// the last moments' reservations; SES's figure at the next refresh counts those sends again.
    static let v3 = PGMigration(version: 3, name: "shared_send_quota", sql: """
        ALTER TABLE send_budget
            ADD COLUMN quota_used BIGINT NOT NULL DEFAULT 0,
            ADD COLUMN quota_floor BIGINT NOT NULL DEFAULT 0,
            ADD COLUMN reserved_total BIGINT NOT NULL DEFAULT 0,
            ADD COLUMN seed_sent BIGINT,
            ADD COLUMN seed_mark BIGINT,
            ADD COLUMN seed_at_us BIGINT;

        -- Recipients reserved per Unix minute; minutes at or below send_budget.quota_floor are expired and deleted.
        CREATE TABLE send_quota (
            name TEXT NOT NULL,
            minute BIGINT NOT NULL,
            count BIGINT NOT NULL,
            PRIMARY KEY (name, minute)
        );

        CREATE FUNCTION sluice_reserve_send(
            p_name TEXT, p_now_us BIGINT, p_cost_us BIGINT, p_n BIGINT, p_limit BIGINT,
            p_minute BIGINT, p_expired_through BIGINT, p_seed_after_us BIGINT,
            OUT o_granted BOOLEAN, OUT o_start_us BIGINT, OUT o_used BIGINT)
        LANGUAGE plpgsql AS $fn$
        DECLARE
            b send_budget%ROWTYPE;
            v_expired BIGINT;
        BEGIN
            PERFORM set_config('synchronous_commit', 'off', true);
            SELECT * INTO b FROM send_budget WHERE name = p_name FOR UPDATE;
            IF NOT FOUND THEN
                INSERT INTO send_budget (name, next_free_us) VALUES (p_name, p_now_us) ON CONFLICT (name) DO NOTHING;
                SELECT * INTO b FROM send_budget WHERE name = p_name FOR UPDATE;
            END IF;
            -- Statements after the lock see every reservation committed before it (READ COMMITTED).
            IF p_expired_through > b.quota_floor THEN
                WITH gone AS (DELETE FROM send_quota WHERE name = p_name AND minute <= p_expired_through RETURNING count)
                SELECT coalesce(sum(count), 0) INTO v_expired FROM gone;
                b.quota_used := b.quota_used - v_expired;
                b.quota_floor := p_expired_through;
            END IF;
            o_used := GREATEST(b.quota_used, CASE WHEN b.seed_at_us > p_seed_after_us
                THEN b.seed_sent + GREATEST(0, b.reserved_total - b.seed_mark) ELSE 0 END);
            o_granted := p_n <= 0 OR p_limit < 0 OR o_used + p_n <= p_limit;
            IF NOT o_granted THEN
                UPDATE send_budget SET quota_used = b.quota_used, quota_floor = b.quota_floor WHERE name = p_name;
                RETURN;
            END IF;
            o_start_us := GREATEST(b.next_free_us, p_now_us);
            UPDATE send_budget SET next_free_us = o_start_us + p_cost_us, quota_used = b.quota_used + GREATEST(p_n, 0),
                quota_floor = b.quota_floor, reserved_total = b.reserved_total + GREATEST(p_n, 0)
                WHERE name = p_name;
            IF p_n > 0 THEN
                -- A clock behind the floor still counts its reservation (in the oldest live minute).
                INSERT INTO send_quota (name, minute, count) VALUES (p_name, GREATEST(p_minute, b.quota_floor + 1), p_n)
                ON CONFLICT (name, minute) DO UPDATE SET count = send_quota.count + excluded.count;
                o_used := o_used + p_n;
            END IF;
        END
        $fn$;

        CREATE FUNCTION sluice_return_send(p_name TEXT, p_minute BIGINT, p_n BIGINT) RETURNS BIGINT
        LANGUAGE plpgsql AS $fn$
        DECLARE
            v_count BIGINT;
            v_back BIGINT;
        BEGIN
            PERFORM set_config('synchronous_commit', 'off', true);
            -- The budget row first, as reservations do: no lock cycle with a reservation in the same minute.
            PERFORM 1 FROM send_budget WHERE name = p_name FOR UPDATE;
            SELECT count INTO v_count FROM send_quota WHERE name = p_name AND minute = p_minute FOR UPDATE;
            IF NOT FOUND OR p_n <= 0 THEN
                RETURN 0;
            END IF;
            v_back := LEAST(v_count, p_n);
            UPDATE send_quota SET count = v_count - v_back WHERE name = p_name AND minute = p_minute;
            UPDATE send_budget SET quota_used = quota_used - v_back, reserved_total = reserved_total - v_back WHERE name = p_name;
            RETURN v_back;
        END
        $fn$;
        """)
}
