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
                // raw_format = 0: a copy purged or compressed meanwhile is left alone.
                replaced += try database.run("""
                    UPDATE sns_messages SET raw = ?2, raw_format = 1 WHERE message_id = ?1 AND raw_format = 0
                    """) {
                    $0.bind(copy.messageId, at: 1)
                    $0.bind(copy.bytes, at: 2)
                }
            }
            return replaced
        }
    }
}
