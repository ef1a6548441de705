import Foundation
import SluiceCore

extension PostgresStore: OutboundQueueStore {
    public func enqueue(_ message: QueuedMessage, idempotency: IdempotencyRecord?) async throws(StoreError) -> IdempotentWriteOutcome {
        if let idempotency { try PGIdempotencyRows.validate(idempotency) }
        let payload = message.message.jsonBytes()
        let suppressed = try QueuePayloadCoding.encode(message.suppressed)
        return try await write { connection throws(StoreError) in
            // The key first: a repeat on another instance waits for this commit and then replays.
            if let idempotency, let existing = try PGIdempotencyRows.claim(idempotency, in: connection) {
                return PGIdempotencyRows.outcome(existing, for: idempotency)
            }
            try connection.execute("""
                INSERT INTO outbound_messages (id, state, identity, recipient_count, payload, suppressed, attempts,
                    next_attempt_at, ses_message_id, error, outbox, created_at, updated_at, claimed_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL, $9, $10, NULL)
                """, [
                    .text(message.id), .text(message.state.rawValue), .text(message.message.identity),
                    .int(message.message.recipients.count), .bytes(payload), .text(String(decoding: suppressed, as: UTF8.self)),
                    .int(message.attempts), .date(message.nextAttemptAt), .date(message.createdAt), .date(message.updatedAt),
                ])
            return .stored
        }
    }

    public func queuedMessage(id: String) async throws(StoreError) -> QueuedMessage? {
        try await read { connection throws(StoreError) in
            let result = try connection.execute("""
                SELECT state, payload, suppressed, attempts, next_attempt_at, ses_message_id, error, outbox,
                    created_at, updated_at, claimed_at
                FROM outbound_messages WHERE id = $1
                """, [.text(id)])
            guard result.rowCount > 0 else { return nil }
            return QueuedMessage(
                id: id, state: MessageState(rawValue: result.string(0, 0)) ?? .failed,
                message: try QueuePayloadCoding.decode(OutboundMessage.self, result.bytes(0, 1)),
                suppressed: try QueuePayloadCoding.decode([DroppedRecipient].self, Array(result.string(0, 2).utf8)),
                attempts: result.int(0, 3), nextAttemptAt: result.date(0, 4),
                sesMessageId: result.optionalString(0, 5), error: result.optionalString(0, 6),
                outbox: result.optionalString(0, 7), createdAt: result.date(0, 8),
                updatedAt: result.date(0, 9), claimedAt: result.optionalDate(0, 10))
        }
    }

    public func readyMessages(at now: Date, limit: Int, excludingIdentities excludedIdentities: Set<String>) async throws(StoreError) -> [ReadyMessage] {
        try await read { connection throws(StoreError) in
            // The batch is picked by an index-only scan (`outbound_state_due_identity`), so a paused identity's
            // backlog is skipped in the index; only the picked rows are read from the heap. No row locks: in
            // autocommit they would end with the statement and only make other instances' claims skip rows;
            // `claim` decides who sends. octet_length reads the stored size, not the (TOASTed) payload.
            let result = try connection.execute("""
                SELECT id, identity, recipient_count, octet_length(payload) FROM outbound_messages
                WHERE id IN (
                    SELECT id FROM outbound_messages
                    WHERE state = 'queued' AND next_attempt_at <= $1 AND NOT (identity = ANY($3::text[]))
                    ORDER BY next_attempt_at, created_at, id LIMIT $2)
                ORDER BY next_attempt_at, created_at, id
                """, [.date(now), .int(min(max(limit, 1), 10_000)), PGValue.textArray(Array(excludedIdentities))])
            return (0..<result.rowCount).map {
                ReadyMessage(
                    id: result.string($0, 0), identity: result.string($0, 1), recipientCount: result.int($0, 2),
                    payloadBytes: result.int($0, 3))
            }
        }
    }

    /// With `clock: .store`, `claimed_at` is the database server's clock, as `recoverInflight`'s cutoff is:
    /// the lease then never compares two instances' clocks.
    public func claim(
        id: String, dropping dropped: [DroppedRecipient], message: OutboundMessage?, at now: Date, dueBy: Date, clock: LeaseClock
    ) async throws(StoreError) -> QueueClaim? {
        let payload = message?.jsonBytes()
        let recipientCount = message?.recipients.count ?? 0
        return try await write { connection throws(StoreError) -> QueueClaim? in
            // Another instance holding the row is claiming it: skip rather than wait, it wins. Not due (tried
            // and put back with a backoff since the caller listed it): not claimed before its time.
            let row = try connection.execute(
                "SELECT state, suppressed FROM outbound_messages WHERE id = $1 AND next_attempt_at <= $2 FOR UPDATE SKIP LOCKED",
                [.text(id), .date(dueBy)])
            guard row.rowCount == 1, row.string(0, 0) == MessageState.queued.rawValue else { return nil }
            if !dropped.isEmpty { try PGQueueRows.appendSuppressed(dropped, current: row.string(0, 1), to: id, in: connection) }
            if let payload {
                try connection.execute(
                    "UPDATE outbound_messages SET payload = $2, recipient_count = $3 WHERE id = $1",
                    [.text(id), .bytes(payload), .int(recipientCount)])
            }
            let stamp = clock == .store ? PGQueueRows.serverMilliseconds : "$2::bigint"
            let claimed = try connection.execute("""
                UPDATE outbound_messages SET state = 'sending', attempts = attempts + 1, claimed_at = \(stamp), updated_at = $2
                WHERE id = $1 AND state = 'queued'
                RETURNING attempts, claimed_at
                """, [.text(id), .date(now)])
            guard claimed.rowCount == 1 else { return nil }
            return QueueClaim(attempts: claimed.int(0, 0), claimedAt: PGQueueRows.exactDate(milliseconds: claimed.int64(0, 1)))
        }
    }

    public func markSuppressed(id: String, dropping dropped: [DroppedRecipient], at now: Date) async throws(StoreError) -> Bool {
        try await write { connection throws(StoreError) in
            let row = try connection.execute(
                "SELECT state, suppressed FROM outbound_messages WHERE id = $1 FOR UPDATE", [.text(id)])
            guard row.rowCount == 1, row.string(0, 0) == MessageState.queued.rawValue else { return false }
            try PGQueueRows.appendSuppressed(dropped, current: row.string(0, 1), to: id, in: connection)
            return try connection.execute(
                "UPDATE outbound_messages SET state = 'suppressed', updated_at = $2 WHERE id = $1 AND state = 'queued'",
                [.text(id), .date(now)]).affectedRows == 1
        }
    }

    public func markSent(id: String, sesMessageId: String?, outbox: String?, counting: SentRecipients?, claimedAt: Date?, at now: Date) async throws(StoreError) -> Bool {
        if let counting, counting.count < 0 { throw StoreError(.invalidInput, "send count must not be negative") }
        return try await write(patient: true) { connection throws(StoreError) in
            let moved = try connection.execute("""
                UPDATE outbound_messages SET state = 'sent', ses_message_id = $2, outbox = $3, updated_at = $4
                WHERE id = $1 AND state = 'sending' AND ($5::bigint IS NULL OR claimed_at = $5::bigint)
                """, [.text(id), .string(sesMessageId), .string(outbox), .date(now), .date(claimedAt)]).affectedRows == 1
            if moved, let counting, counting.count > 0 {
                try PGCounterRows.add(counting.count, identity: counting.identity, kind: .send, at: now, in: connection)
            }
            return moved
        }
    }

    public func requeue(id: String, nextAttemptAt: Date, error: String?, countAttempt: Bool, claimedAt: Date?, at now: Date) async throws(StoreError) -> Bool {
        try await write(patient: true) { connection throws(StoreError) in
            try connection.execute("""
                UPDATE outbound_messages SET state = 'queued', next_attempt_at = $2, error = coalesce($3, error),
                    attempts = GREATEST(0, attempts - $4::integer), updated_at = $5
                WHERE id = $1 AND state = 'sending' AND ($6::bigint IS NULL OR claimed_at = $6::bigint)
                """, [.text(id), .date(nextAttemptAt), .string(error), .int(countAttempt ? 0 : 1), .date(now), .date(claimedAt)]).affectedRows == 1
        }
    }

    public func markFailed(id: String, error: String, claimedAt: Date?, at now: Date) async throws(StoreError) -> Bool {
        try await write(patient: true) { connection throws(StoreError) in
            try connection.execute("""
                UPDATE outbound_messages SET state = 'failed', error = $2, updated_at = $3
                WHERE id = $1 AND state = 'sending' AND ($4::bigint IS NULL OR claimed_at = $4::bigint)
                """, [.text(id), .text(error), .date(now), .date(claimedAt)]).affectedRows == 1
        }
    }

    /// The lease: a claim older than `age` belongs to a crashed (or hung) instance, on any instance, so every
    /// instance's housekeeping recovers it. With `clock: .store` the age is measured on the database server's
    /// clock, which stamped the claim.
    public func recoverInflight(
        olderThan age: TimeInterval, maxAttempts: Int, resolution: InflightResolution, excluding: Set<String>, at now: Date,
        clock: LeaseClock
    ) async throws(StoreError) -> Int {
        let (state, error) = QueueStateMachine.recovery(resolution)
        let exhausted = QueueStateMachine.exhaustedRecoveryError(maxAttempts: maxAttempts)
        let ageMilliseconds = Int64((max(0, age) * 1000).rounded(.down))
        let callerCutoff = PGValue.milliseconds(now) - ageMilliseconds
        return try await write { connection throws(StoreError) in
            let cutoff = clock == .store
                ? try connection.execute("SELECT \(PGQueueRows.serverMilliseconds)").int64(0, 0) - ageMilliseconds : callerCutoff
            let lease: [PGValue] = [.text(String(cutoff)), .date(now), PGValue.textArray(Array(excluding))]
            var count = 0
            if resolution == .resend {
                // Its last attempt interrupted: failed, not resent (a message whose call kills the process
                // would otherwise be tried, and the process crashed, forever). `attempts` is an integer column.
                count += try connection.execute("""
                    UPDATE outbound_messages SET state = 'failed', error = $4, updated_at = $2
                    WHERE state = 'sending' AND claimed_at < $1::bigint AND NOT (id = ANY($3::text[])) AND attempts >= $5::bigint
                    """, lease + [.text(exhausted), .int(min(maxAttempts, Int(Int32.max)))]).affectedRows
            }
            count += try connection.execute("""
                UPDATE outbound_messages SET state = $4, error = $5, next_attempt_at = $2, updated_at = $2
                WHERE state = 'sending' AND claimed_at < $1::bigint AND NOT (id = ANY($3::text[]))
                """, lease + [.text(state.rawValue), .text(error)]).affectedRows
            return count
        }
    }

    public func queueCounts() async throws(StoreError) -> [MessageState: Int] {
        try await read { connection throws(StoreError) in
            var counts: [MessageState: Int] = [:]
            for state in MessageState.allCases { counts[state] = 0 }
            let result = try connection.execute("SELECT state, count(*) FROM outbound_messages GROUP BY state")
            for row in 0..<result.rowCount {
                if let state = MessageState(rawValue: result.string(row, 0)) { counts[state] = result.int(row, 1) }
            }
            return counts
        }
    }

    public func events(sesMessageId: String, limit: Int) async throws(StoreError) -> [HistoryEntry] {
        try await read { connection throws(StoreError) in
            let result = try connection.execute("""
                SELECT kind, address, original_address, event_at, identity, subtype, detail, scope, raw_type,
                    outcome, source, recorded_at
                FROM history WHERE ses_message_id = $1 ORDER BY id LIMIT $2
                """, [.text(sesMessageId), .int(min(max(limit, 1), 1000))])
            return (0..<result.rowCount).map { row in
                let event = RecipientEvent(
                    kind: EventKind(rawValue: result.string(row, 0)) ?? .unknown, address: result.string(row, 1),
                    originalAddress: result.string(row, 2), sesMessageId: sesMessageId,
                    timestamp: result.date(row, 3), identity: result.string(row, 4),
                    subtype: result.optionalString(row, 5), detail: result.optionalString(row, 6),
                    scope: result.string(row, 7), rawType: result.string(row, 8))
                return HistoryEntry(event: event, outcome: result.string(row, 9), source: result.string(row, 10), recordedAt: result.date(row, 11))
            }
        }
    }
}

/// Row helpers for `outbound_messages`.
enum PGQueueRows {
    /// The database server's clock in Unix milliseconds, as dates are stored (`clock_timestamp`: the time
    /// now, not the transaction's start).
    static let serverMilliseconds = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

    /// A stored millisecond stamp as a `Date` that `PGValue.date` turns back into the same integer: half a
    /// millisecond in, so rounding down after the float round trip cannot land on the one before.
    static func exactDate(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: (Double(milliseconds) + 0.5) / 1000)
    }

    static func appendSuppressed(_ dropped: [DroppedRecipient], current: String, to id: String, in connection: PGConnection) throws(StoreError) {
        let existing = try QueuePayloadCoding.decode([DroppedRecipient].self, Array(current.utf8))
        let merged = try QueuePayloadCoding.encode(existing + dropped)
        try connection.execute("UPDATE outbound_messages SET suppressed = $2 WHERE id = $1", [.text(id), .text(String(decoding: merged, as: UTF8.self))])
    }
}
