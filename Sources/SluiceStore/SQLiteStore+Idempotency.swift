import Foundation
import SluiceCore

extension SQLiteStore: IdempotencyStore {
    public func idempotencyRecord(key: String) async throws(StoreError) -> IdempotencyRecord? {
        let record = try await readers.read { database throws(StoreError) in try IdempotencyRows.find(key, in: database) }
        guard let record else { return nil }
        // A reader sees a commit before the WAL sync behind it has returned, and a replay is answered from
        // this record: an empty writer job is acknowledged only after a sync that covers every earlier
        // commit, so the replay never reports a message that a power loss could still take back.
        try await writer.submit { _ in }
        return record
    }

    public func saveIdempotency(_ record: IdempotencyRecord) async throws(StoreError) -> IdempotentWriteOutcome {
        try IdempotencyRows.validate(record)
        return try await writer.submit { database throws(StoreError) in
            if let existing = try IdempotencyRows.find(record.key, in: database) {
                return IdempotencyRows.outcome(existing, for: record)
            }
            try IdempotencyRows.insert(record, in: database)
            return .stored
        }
    }

    public func purgeIdempotency(createdBefore date: Date) async throws(StoreError) -> Int {
        try await writer.submit { database throws(StoreError) in
            try database.run("DELETE FROM idempotency_keys WHERE created_at < ?1") { $0.bind(date, at: 1) }
        }
    }
}

/// SQL for `idempotency_keys`, shared by the idempotency and queue extensions (run on the writer or a reader).
enum IdempotencyRows {
    static func validate(_ record: IdempotencyRecord) throws(StoreError) {
        guard !record.key.isEmpty, record.key.utf8.count <= 255 else {
            throw StoreError(.invalidInput, "idempotency key must be 1-255 bytes")
        }
    }

    static func find(_ key: String, in database: Database) throws(StoreError) -> IdempotencyRecord? {
        let statement = try database.statement(
            "SELECT request_hash, status, body, message_id, created_at FROM idempotency_keys WHERE key = ?1")
        defer { statement.reset() }
        statement.bind(key, at: 1)
        guard try statement.step() else { return nil }
        return IdempotencyRecord(
            key: key, requestHash: statement.string(at: 0), status: statement.int(at: 1), body: statement.blob(at: 2),
            messageId: statement.optionalString(at: 3), createdAt: statement.date(at: 4))
    }

    static func insert(_ record: IdempotencyRecord, in database: Database) throws(StoreError) {
        try database.run("""
            INSERT INTO idempotency_keys (key, request_hash, status, body, message_id, created_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """) {
            $0.bind(record.key, at: 1)
            $0.bind(record.requestHash, at: 2)
            $0.bind(record.status, at: 3)
            $0.bind(record.body, at: 4)
            $0.bind(record.messageId, at: 5)
            $0.bind(record.createdAt, at: 6)
        }
    }

    static func outcome(_ existing: IdempotencyRecord, for attempt: IdempotencyRecord) -> IdempotentWriteOutcome {
        existing.requestHash == attempt.requestHash ? .replay(existing) : .conflict
    }
}
