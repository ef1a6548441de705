import Foundation
import SluiceCore

extension SQLiteStore: AuditCopyStore {
    public func auditCopy(messageId: String) async throws(StoreError) -> AuditCopy? {
        try await readers.read { database throws(StoreError) in
            let statement = try database.statement("SELECT raw_format, raw FROM sns_messages WHERE message_id = ?1")
            defer { statement.reset() }
            statement.bind(messageId, at: 1)
            guard try statement.step() else { return nil }
            guard let format = AuditCopyFormat(rawValue: statement.int(at: 0)) else {
                throw StoreError(.corrupt, "unknown audit copy format \(statement.int(at: 0))")
            }
            return AuditCopy(messageId: messageId, format: format, bytes: statement.blob(at: 1))
        }
    }

    public func uncompressedAuditCopies(limit: Int, maxBytes: Int) async throws(StoreError) -> [AuditCopy] {
        guard limit > 0 else { return [] }
        return try await readers.read { database throws(StoreError) in
            // Walks the partial index sns_messages_raw_pending: only rows still waiting.
            let statement = try database.statement("""
                SELECT message_id, raw FROM sns_messages WHERE raw_format = 0 ORDER BY received_at LIMIT ?1
                """)
            defer { statement.reset() }
            statement.bind(limit, at: 1)
            var copies: [AuditCopy] = []
            var bytes = 0
            while bytes < maxBytes, try statement.step() {
                let copy = AuditCopy(messageId: statement.string(at: 0), format: .identity, bytes: statement.blob(at: 1))
                bytes += copy.bytes.count
                copies.append(copy)
            }
            return copies
        }
    }

    public func uncompressedAuditCopyCount(upTo limit: Int) async throws(StoreError) -> Int {
        guard limit > 0 else { return 0 }
        return try await readers.read { database throws(StoreError) in
            // An index-only walk of the partial index sns_messages_raw_pending, stopped at `limit`.
            let statement = try database.statement("""
                SELECT count(*) FROM (SELECT 1 FROM sns_messages WHERE raw_format = 0 LIMIT ?1)
                """)
            defer { statement.reset() }
            statement.bind(limit, at: 1)
            return try statement.step() ? statement.int(at: 0) : 0
        }
    }

    public func replaceAuditCopies(_ compressed: [AuditCopy]) async throws(StoreError) -> Int {
        try AuditCopy.checkReplacements(compressed, maxBytes: Self.maxRawMessageBytes)
        guard !compressed.isEmpty else { return 0 }
        return try await writer.submit { database throws(StoreError) in
            var replaced = 0
            for copy in compressed {
                replaced += try Self.moveCompressed(copy, in: database)
            }
            return replaced
        }
    }

    /// Replaces an uncompressed row by its compressed copy as a new row at the end of the table, not in
    /// place: a ~2 KB body fills a 4 KiB page alone (two do not fit), and a row shrunk in place keeps that
    /// page to itself for the whole retention. Moved, the compressed rows fill pages 3–4 at a time and the
    /// emptied pages go to the freelist, where the next bodies are written. Returns 1, or 0 when the copy
    /// was purged or compressed meanwhile (raw_format = 0 no longer matches).
    private static func moveCompressed(_ copy: AuditCopy, in database: Database) throws(StoreError) -> Int {
        let delete = try database.statement("""
            DELETE FROM sns_messages WHERE message_id = ?1 AND raw_format = 0
            RETURNING type, topic_arn, sns_timestamp, received_at, endpoint, event_count
            """)
        let row: (type: String, topicArn: String, snsTimestamp: Int64, receivedAt: Int64, endpoint: String, eventCount: Int64)
        do {
            defer { delete.reset() }
            delete.bind(copy.messageId, at: 1)
            guard try delete.step() else { return 0 }
            row = (delete.string(at: 0), delete.string(at: 1), delete.int64(at: 2), delete.int64(at: 3), delete.string(at: 4), delete.int64(at: 5))
            while try delete.step() {}  // message_id is unique: one row at most
        }
        return try database.run("""
            INSERT INTO sns_messages (message_id, type, topic_arn, sns_timestamp, received_at, endpoint, event_count, raw, raw_format)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)
            """) {
            $0.bind(copy.messageId, at: 1)
            $0.bind(row.type, at: 2)
            $0.bind(row.topicArn, at: 3)
            $0.bind(row.snsTimestamp, at: 4)
            $0.bind(row.receivedAt, at: 5)
            $0.bind(row.endpoint, at: 6)
            $0.bind(row.eventCount, at: 7)
            $0.bind(copy.bytes, at: 8)
        }
    }
}
