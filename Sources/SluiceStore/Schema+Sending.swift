extension Schema {
    /// The send gate: durable outbound queue, idempotency keys, and history lookup by SES message id.
    static let v2 = Migration(version: 2, name: "send_queue", sql: """
        -- One row per accepted message; payload is the validated message as JSON (raw MIME base64 inside).
        CREATE TABLE outbound_messages (
            id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            identity TEXT NOT NULL,
            recipient_count INTEGER NOT NULL,
            payload BLOB NOT NULL,
            suppressed TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            next_attempt_at INTEGER NOT NULL,
            ses_message_id TEXT,
            error TEXT,
            outbox TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            claimed_at INTEGER
        );
        -- Serves the dispatcher (state = 'queued' AND next_attempt_at <= now, oldest first), crash
        -- recovery (state = 'sending') and per-state counts.
        CREATE INDEX outbound_state_due ON outbound_messages (state, next_attempt_at);
        CREATE INDEX outbound_created ON outbound_messages (created_at);

        CREATE TABLE idempotency_keys (
            key TEXT PRIMARY KEY,
            request_hash TEXT NOT NULL,
            status INTEGER NOT NULL,
            body BLOB NOT NULL,
            message_id TEXT,
            created_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX idempotency_created ON idempotency_keys (created_at);

        -- GET /v1/messages/{id} lists the SES events that came back for its SES message id.
        CREATE INDEX history_ses_message ON history (ses_message_id);
        """)
}
