import Foundation
import SluiceCore

extension PostgresStore: IdempotencyStore {
    public func idempotencyRecord(key: String) async throws(StoreError) -> IdempotencyRecord? {
        try await read { connection throws(StoreError) in try PGIdempotencyRows.find(key, in: connection) }
    }

    public func saveIdempotency(_ record: IdempotencyRecord) async throws(StoreError) -> IdempotentWriteOutcome {
        try PGIdempotencyRows.validate(record)
        return try await write { connection throws(StoreError) in
            if let existing = try PGIdempotencyRows.claim(record, in: connection) {
                return PGIdempotencyRows.outcome(existing, for: record)
            }
            return .stored
        }
    }

    public func purgeIdempotency(createdBefore date: Date) async throws(StoreError) -> Int {
        try await write { connection throws(StoreError) in
            try connection.execute("DELETE FROM idempotency_keys WHERE created_at < $1", [.date(date)]).affectedRows
        }
    }
}

/// SQL for `idempotency_keys`, shared by the idempotency and queue extensions.
enum PGIdempotencyRows {
    static func validate(_ record: IdempotencyRecord) throws(StoreError) {
        guard !record.key.isEmpty, record.key.utf8.count <= 255 else {
            throw StoreError(.invalidInput, "idempotency key must be 1-255 bytes")
        }
    }

    static func find(_ key: String, in connection: PGConnection) throws(StoreError) -> IdempotencyRecord? {
        let result = try connection.execute(
            "SELECT request_hash, status, body, message_id, created_at FROM idempotency_keys WHERE key = $1", [.text(key)])
        guard result.rowCount > 0 else { return nil }
        return IdempotencyRecord(
            key: key, requestHash: result.string(0, 0), status: result.int(0, 1), body: result.bytes(0, 2),
            messageId: result.optionalString(0, 3), createdAt: result.date(0, 4))
    }

    /// Inserts `record` unless the key exists; returns the existing record then. Two instances inserting the
    /// same key at once: the second waits for the first's commit, inserts nothing and reads its row.
    static func claim(_ record: IdempotencyRecord, in connection: PGConnection) throws(StoreError) -> IdempotencyRecord? {
        let inserted = try connection.execute("""
            INSERT INTO idempotency_keys (key, request_hash, status, body, message_id, created_at)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING
            """, [
                .text(record.key), .text(record.requestHash), .int(record.status), .bytes(record.body),
                .string(record.messageId), .date(record.createdAt),
            ]).affectedRows
        if inserted == 1 { return nil }
        guard let existing = try find(record.key, in: connection) else {
            // Deleted by a purge between the two statements: let the caller retry the request.
            throw StoreError(.busy, "idempotency key changed concurrently; retry")
        }
        return existing
    }

    static func outcome(_ existing: IdempotencyRecord, for attempt: IdempotencyRecord) -> IdempotentWriteOutcome {
        existing.requestHash == attempt.requestHash ? .replay(existing) : .conflict
    }
}
