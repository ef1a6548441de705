import Foundation
import SluiceCore

extension SQLiteStore: OutboundQueueStore {
    public func enqueue(_ message: QueuedMessage, idempotency: IdempotencyRecord?) async throws(StoreError) -> IdempotentWriteOutcome {
        if let idempotency { try IdempotencyRows.validate(idempotency) }
        // Encoded here, off the writer thread: the writer only binds bytes.
        let payload = message.message.jsonBytes()
        let suppressed = try QueuePayloadCoding.encode(message.suppressed)
        return try await writer.submit { database throws(StoreError) in
            if let idempotency, let existing = try IdempotencyRows.find(idempotency.key, in: database) {
                return IdempotencyRows.outcome(existing, for: idempotency)
            }
            try database.run("""
                INSERT INTO outbound_messages (id, state, identity, recipient_count, payload, suppressed, attempts,
                    next_attempt_at, ses_message_id, error, outbox, created_at, updated_at, claimed_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, NULL, NULL, ?9, ?10, NULL)
                """) {
                $0.bind(message.id, at: 1)
                $0.bind(message.state.rawValue, at: 2)
                $0.bind(message.message.identity, at: 3)
                $0.bind(message.message.recipients.count, at: 4)
                $0.bind(payload, at: 5)
                $0.bind(String(decoding: suppressed, as: UTF8.self), at: 6)
                $0.bind(message.attempts, at: 7)
                $0.bind(message.nextAttemptAt, at: 8)
                $0.bind(message.createdAt, at: 9)
                $0.bind(message.updatedAt, at: 10)
            }
            if let idempotency { try IdempotencyRows.insert(idempotency, in: database) }
            return .stored
        }
    }

    public func queuedMessage(id: String) async throws(StoreError) -> QueuedMessage? {
        try await readers.read { database throws(StoreError) in
            let statement = try database.statement("""
                SELECT state, payload, suppressed, attempts, next_attempt_at, ses_message_id, error, outbox,
                    created_at, updated_at, claimed_at
                FROM outbound_messages WHERE id = ?1
                """)
            defer { statement.reset() }
            statement.bind(id, at: 1)
            guard try statement.step() else { return nil }
            return QueuedMessage(
                id: id, state: MessageState(rawValue: statement.string(at: 0)) ?? .failed,
                message: try QueuePayloadCoding.decode(OutboundMessage.self, statement.blob(at: 1)),
                suppressed: try QueuePayloadCoding.decode([DroppedRecipient].self, Array(statement.string(at: 2).utf8)),
                attempts: statement.int(at: 3), nextAttemptAt: statement.date(at: 4),
                sesMessageId: statement.optionalString(at: 5), error: statement.optionalString(at: 6),
                outbox: statement.optionalString(at: 7), createdAt: statement.date(at: 8),
                updatedAt: statement.date(at: 9), claimedAt: statement.optionalDate(at: 10))
        }
    }

    public func readyMessages(at now: Date, limit: Int, excludingIdentities excludedIdentities: Set<String>) async throws(StoreError) -> [ReadyMessage] {
        // The excluded identities go in as one JSON array parameter (json_each), never into the SQL text.
        let excluded = excludedIdentities.isEmpty ? "[]" : String(decoding: try QueuePayloadCoding.encode(excludedIdentities.sorted()), as: UTF8.self)
        return try await readers.read { database throws(StoreError) in
            // length() of a blob comes from the record header: the payload itself is not read.
            let statement = try database.statement("""
                SELECT id, identity, recipient_count, length(payload) FROM outbound_messages
                WHERE state = 'queued' AND next_attempt_at <= ?1 AND identity NOT IN (SELECT value FROM json_each(?3))
                ORDER BY next_attempt_at LIMIT ?2
                """)
            defer { statement.reset() }
            statement.bind(now, at: 1)
            statement.bind(min(max(limit, 1), 10_000), at: 2)
            statement.bind(excluded, at: 3)
            var result: [ReadyMessage] = []
            while try statement.step() {
                result.append(ReadyMessage(
                    id: statement.string(at: 0), identity: statement.string(at: 1), recipientCount: statement.int(at: 2),
                    payloadBytes: statement.int(at: 3)))
            }
            return result
        }
    }

    /// One host, one clock: `clock` changes nothing here, `claimed_at` is `now`.
    public func claim(
        id: String, dropping dropped: [DroppedRecipient], message: OutboundMessage?, at now: Date, dueBy: Date, clock: LeaseClock
    ) async throws(StoreError) -> QueueClaim? {
        let payload = message?.jsonBytes()
        return try await writer.submit { database throws(StoreError) -> QueueClaim? in
            guard try QueueRows.isDue(id, by: dueBy, in: database) else { return nil }
            if !dropped.isEmpty { try QueueRows.appendSuppressed(dropped, to: id, in: database) }
            if let payload, let message {
                try database.run("UPDATE outbound_messages SET payload = ?2, recipient_count = ?3 WHERE id = ?1") {
                    $0.bind(id, at: 1)
                    $0.bind(payload, at: 2)
                    $0.bind(message.recipients.count, at: 3)
                }
            }
            let claimed = try database.run("""
                UPDATE outbound_messages SET state = 'sending', attempts = attempts + 1, claimed_at = ?2, updated_at = ?2
                WHERE id = ?1 AND state = 'queued'
                """) {
                $0.bind(id, at: 1)
                $0.bind(now, at: 2)
            } == 1
            guard claimed else { return nil }
            let select = try database.statement("SELECT attempts FROM outbound_messages WHERE id = ?1")
            defer { select.reset() }
            select.bind(id, at: 1)
            guard try select.step() else { return nil }
            return QueueClaim(attempts: select.int(at: 0), claimedAt: now)
        }
    }

    public func markSuppressed(id: String, dropping dropped: [DroppedRecipient], at now: Date) async throws(StoreError) -> Bool {
        try await writer.submit { database throws(StoreError) in
            guard try QueueRows.state(of: id, in: database) == .queued else { return false }
            try QueueRows.appendSuppressed(dropped, to: id, in: database)
            return try database.run("""
                UPDATE outbound_messages SET state = 'suppressed', updated_at = ?2 WHERE id = ?1 AND state = 'queued'
                """) {
                $0.bind(id, at: 1)
                $0.bind(now, at: 2)
            } == 1
        }
    }

    public func markSent(id: String, sesMessageId: String?, outbox: String?, counting: SentRecipients?, claimedAt: Date?, at now: Date) async throws(StoreError) -> Bool {
        if let counting, counting.count < 0 { throw StoreError(.invalidInput, "send count must not be negative") }
        return try await writer.submit { database throws(StoreError) in
            let moved = try database.run("""
                UPDATE outbound_messages SET state = 'sent', ses_message_id = ?2, outbox = ?3, updated_at = ?4
                WHERE id = ?1 AND state = 'sending' AND (?5 IS NULL OR claimed_at = ?5)
                """) {
                $0.bind(id, at: 1)
                $0.bind(sesMessageId, at: 2)
                $0.bind(outbox, at: 3)
                $0.bind(now, at: 4)
                $0.bind(claimedAt, at: 5)
            } == 1
            if moved, let counting, counting.count > 0 {
                try CounterRows.add(counting.count, identity: counting.identity, kind: .send, at: now, in: database)
            }
            return moved
        }
    }

    public func requeue(id: String, nextAttemptAt: Date, error: String?, countAttempt: Bool, claimedAt: Date?, at now: Date) async throws(StoreError) -> Bool {
        try await writer.submit { database throws(StoreError) in
            try database.run("""
                UPDATE outbound_messages SET state = 'queued', next_attempt_at = ?2, error = coalesce(?3, error),
                    attempts = max(0, attempts - ?4), updated_at = ?5
                WHERE id = ?1 AND state = 'sending' AND (?6 IS NULL OR claimed_at = ?6)
                """) {
                $0.bind(id, at: 1)
                $0.bind(nextAttemptAt, at: 2)
                $0.bind(error, at: 3)
                $0.bind(countAttempt ? 0 : 1, at: 4)
                $0.bind(now, at: 5)
                $0.bind(claimedAt, at: 6)
            } == 1
        }
    }

    public func markFailed(id: String, error: String, claimedAt: Date?, at now: Date) async throws(StoreError) -> Bool {
        try await writer.submit { database throws(StoreError) in
            try database.run("""
                UPDATE outbound_messages SET state = 'failed', error = ?2, updated_at = ?3
                WHERE id = ?1 AND state = 'sending' AND (?4 IS NULL OR claimed_at = ?4)
                """) {
                $0.bind(id, at: 1)
                $0.bind(error, at: 2)
                $0.bind(now, at: 3)
                $0.bind(claimedAt, at: 4)
            } == 1
        }
    }

    public func recoverInflight(
        olderThan age: TimeInterval, maxAttempts: Int, resolution: InflightResolution, excluding: Set<String>, at now: Date,
        clock: LeaseClock
    ) async throws(StoreError) -> Int {
        let claimedBefore = now.addingTimeInterval(-age)
        return try await writer.submit { database throws(StoreError) in
            let select = try database.statement(
                "SELECT id, attempts FROM outbound_messages WHERE state = 'sending' AND claimed_at < ?1")
            select.bind(claimedBefore, at: 1)
            var rows: [(id: String, attempts: Int)] = []
            do {
                defer { select.reset() }
                while try select.step() { rows.append((select.string(at: 0), select.int(at: 1))) }
            }
            var count = 0
            for row in rows where !excluding.contains(row.id) {
                let (state, error) = QueueStateMachine.recovery(resolution, attempts: row.attempts, maxAttempts: maxAttempts)
                count += try database.run("""
                    UPDATE outbound_messages SET state = ?2, error = ?3, next_attempt_at = ?4, updated_at = ?4
                    WHERE id = ?1 AND state = 'sending'
                    """) {
                    $0.bind(row.id, at: 1)
                    $0.bind(state.rawValue, at: 2)
                    $0.bind(error, at: 3)
                    $0.bind(now, at: 4)
                }
            }
            return count
        }
    }

    public func queueCounts() async throws(StoreError) -> [MessageState: Int] {
        try await readers.read { database throws(StoreError) in
            var result: [MessageState: Int] = [:]
            for state in MessageState.allCases { result[state] = 0 }
            let statement = try database.statement("SELECT state, count(*) FROM outbound_messages GROUP BY state")
            defer { statement.reset() }
            while try statement.step() {
                if let state = MessageState(rawValue: statement.string(at: 0)) { result[state] = statement.int(at: 1) }
            }
            return result
        }
    }

    public func events(sesMessageId: String, limit: Int) async throws(StoreError) -> [HistoryEntry] {
        try await readers.read { database throws(StoreError) in
            let statement = try database.statement("""
                SELECT kind, address, original_address, event_at, identity, subtype, detail, scope, raw_type,
                    outcome, source, recorded_at
                FROM history WHERE ses_message_id = ?1 ORDER BY id LIMIT ?2
                """)
            defer { statement.reset() }
            statement.bind(sesMessageId, at: 1)
            statement.bind(min(max(limit, 1), 1000), at: 2)
            var entries: [HistoryEntry] = []
            while try statement.step() {
                let event = RecipientEvent(
                    kind: EventKind(rawValue: statement.string(at: 0)) ?? .unknown, address: statement.string(at: 1),
                    originalAddress: statement.string(at: 2), sesMessageId: sesMessageId,
                    timestamp: statement.date(at: 3), identity: statement.string(at: 4),
                    subtype: statement.optionalString(at: 5), detail: statement.optionalString(at: 6),
                    scope: statement.string(at: 7), rawType: statement.string(at: 8))
                entries.append(HistoryEntry(
                    event: event, outcome: statement.string(at: 9), source: statement.string(at: 10), recordedAt: statement.date(at: 11)))
            }
            return entries
        }
    }
}

/// Row helpers for `outbound_messages` (writer thread or reader).
enum QueueRows {
    /// Whether `id` is `queued` and due by `date`. A worker's list of due messages can be stale: a message it
    /// names may have been tried and put back with a backoff since, and must not be claimed again before then.
    static func isDue(_ id: String, by date: Date, in database: Database) throws(StoreError) -> Bool {
        let statement = try database.statement(
            "SELECT 1 FROM outbound_messages WHERE id = ?1 AND state = 'queued' AND next_attempt_at <= ?2")
        defer { statement.reset() }
        statement.bind(id, at: 1)
        statement.bind(date, at: 2)
        return try statement.step()
    }

    static func state(of id: String, in database: Database) throws(StoreError) -> MessageState? {
        let statement = try database.statement("SELECT state FROM outbound_messages WHERE id = ?1")
        defer { statement.reset() }
        statement.bind(id, at: 1)
        return try statement.step() ? MessageState(rawValue: statement.string(at: 0)) : nil
    }

    static func appendSuppressed(_ dropped: [DroppedRecipient], to id: String, in database: Database) throws(StoreError) {
        let select = try database.statement("SELECT suppressed FROM outbound_messages WHERE id = ?1")
        select.bind(id, at: 1)
        var current: [DroppedRecipient] = []
        do {
            defer { select.reset() }
            if try select.step() { current = try QueuePayloadCoding.decode([DroppedRecipient].self, Array(select.string(at: 0).utf8)) }
        }
        let merged = try QueuePayloadCoding.encode(current + dropped)
        try database.run("UPDATE outbound_messages SET suppressed = ?2 WHERE id = ?1") {
            $0.bind(id, at: 1)
            $0.bind(String(decoding: merged, as: UTF8.self), at: 2)
        }
    }
}
