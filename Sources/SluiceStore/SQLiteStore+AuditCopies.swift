import Foundation
import SluiceCore

extension SQLiteStore: AuditCopyStore {
    /// `sns_messages.raw_format` of a row whose body lies in `sns_audit_packs` (not an `AuditCopyFormat`:
    /// the pack's own `raw_format` says how those bytes are kept).
    static let packedRawFormat = 2

    /// Scans the messages: the dedupe index leads with the SNS Timestamp (schema v10). For tests and diagnostics.
    public func auditCopy(messageId: String) async throws(StoreError) -> AuditCopy? {
        try await readers.read { database throws(StoreError) in
            let statement = try database.statement("""
                SELECT m.raw_format, m.raw, m.pack_offset, m.pack_length, p.raw_format, p.data
                FROM sns_messages m LEFT JOIN sns_audit_packs p ON p.id = m.pack_id WHERE m.message_id = ?1
                """)
            defer { statement.reset() }
            statement.bind(messageId, at: 1)
            guard try statement.step() else { return nil }
            guard statement.int(at: 0) == Self.packedRawFormat else {
                return AuditCopy(messageId: messageId, format: try Self.format(statement.int(at: 0)), bytes: statement.blob(at: 1))
            }
            guard !statement.isNull(at: 4) else { throw StoreError(.corrupt, "audit pack of \(messageId) is missing") }
            let offset = statement.int(at: 2)
            let range = offset..<(offset + statement.int(at: 3))
            let bytes = statement.blob(at: 5)
            switch try Self.format(statement.int(at: 4)) {
            case .identity:
                guard range.lowerBound >= 0, range.upperBound <= bytes.count else {
                    throw StoreError(.corrupt, "audit copy of \(messageId) lies outside its pack")
                }
                return AuditCopy(messageId: messageId, format: .identity, bytes: Array(bytes[range]))
            case .zlib:
                return AuditCopy(messageId: messageId, format: .zlib, bytes: bytes, range: range)
            }
        }
    }

    public func uncompressedAuditBlobs(limit: Int, maxBytes: Int) async throws(StoreError) -> [AuditBlob] {
        guard limit > 0 else { return [] }
        return try await readers.read { database throws(StoreError) in
            var blobs: [AuditBlob] = []
            var bytes = 0
            // Packs first (they hold what ingest writes now), then rows written before packs or too large for
            // one; both walk a partial index of the blobs still waiting.
            let packs = try database.statement("""
                SELECT id, message_count, data FROM sns_audit_packs WHERE raw_format = 0 ORDER BY id LIMIT ?1
                """)
            defer { packs.reset() }
            packs.bind(limit, at: 1)
            while bytes < maxBytes, try packs.step() {
                let blob = AuditBlob(owner: .pack(packs.int64(at: 0)), format: .identity, bytes: packs.blob(at: 2), copies: packs.int(at: 1))
                bytes += blob.bytes.count
                blobs.append(blob)
            }
            guard bytes < maxBytes, blobs.count < limit else { return blobs }
            let rows = try database.statement("""
                SELECT rowid, message_id, raw FROM sns_messages WHERE raw_format = 0 ORDER BY received_at LIMIT ?1
                """)
            defer { rows.reset() }
            rows.bind(limit - blobs.count, at: 1)
            while bytes < maxBytes, try rows.step() {
                let owner = AuditBlob.Owner.row(rows.int64(at: 0), messageId: rows.string(at: 1))
                let blob = AuditBlob(owner: owner, format: .identity, bytes: rows.blob(at: 2))
                bytes += blob.bytes.count
                blobs.append(blob)
            }
            return blobs
        }
    }

    public func uncompressedAuditCopyCount(upTo limit: Int) async throws(StoreError) -> Int {
        guard limit > 0 else { return 0 }
        return try await readers.read { database throws(StoreError) in
            // Index-only walks of the two partial indexes (the packs' one covers message_count), each
            // stopped at `limit` entries.
            let statement = try database.statement("""
                SELECT (SELECT count(*) FROM (SELECT 1 FROM sns_messages WHERE raw_format = 0 LIMIT ?1))
                     + (SELECT coalesce(sum(message_count), 0) FROM
                           (SELECT message_count FROM sns_audit_packs WHERE raw_format = 0 ORDER BY id LIMIT ?1))
                """)
            defer { statement.reset() }
            statement.bind(limit, at: 1)
            return try statement.step() ? min(limit, statement.int(at: 0)) : 0
        }
    }

    public func replaceAuditBlobs(_ compressed: [AuditBlob]) async throws(StoreError) -> Int {
        try AuditBlob.checkReplacements(compressed, maxBytes: Self.maxRawMessageBytes)
        guard !compressed.isEmpty else { return 0 }
        return try await writer.submit { database throws(StoreError) in
            var replaced = 0
            for blob in compressed {
                switch blob.owner {
                case .pack(let id):
                    // Shrunk in place: the pack's overflow pages it no longer needs go to the freelist.
                    replaced += try database.run("UPDATE sns_audit_packs SET raw_format = 1, data = ?2 WHERE id = ?1 AND raw_format = 0") {
                        $0.bind(id, at: 1)
                        $0.bind(blob.bytes, at: 2)
                    }
                case .row(let rowid, let messageId):
                    replaced += try Self.moveCompressed(rowid: rowid, messageId: messageId, blob.bytes, in: database)
                case .message:
                    continue  // PostgreSQL's kind of owner: no such row here
                }
            }
            return replaced
        }
    }

    /// Purges the packs whose newest member is older than `cutoff` (so every member is purged too). In
    /// chunks of 200 packs (~5,000 messages): freeing a pack reads each of its overflow pages.
    func purgeAuditPacks(olderThan cutoff: Date) async throws(StoreError) -> Int {
        try await deleteInChunks("""
            DELETE FROM sns_audit_packs WHERE id IN (SELECT id FROM sns_audit_packs WHERE created_at < ?1 LIMIT ?2)
            """, cutoff: cutoff, chunk: 200)
    }

    private static func format(_ value: Int) throws(StoreError) -> AuditCopyFormat {
        guard let format = AuditCopyFormat(rawValue: value) else { throw StoreError(.corrupt, "unknown audit copy format \(value)") }
        return format
    }

    /// Replaces an uncompressed row by its compressed copy and moves the row to the end of the table (a new
    /// rowid: SQLite deletes and re-inserts it, every column carried along), not shrunk in place: a ~2 KB
    /// body fills a 4 KiB page alone (two do not fit), and a row shrunk in place keeps that page to itself
    /// for the whole retention. Moved, the compressed rows fill pages 3–4 at a time and the emptied pages go
    /// to the freelist, where the next bodies are written. Returns 1, or 0 when the copy was purged or
    /// compressed meanwhile (raw_format = 0 no longer matches). By rowid, so one row moves even when its
    /// MessageId has another (another Timestamp: the dedupe key since schema v10); the MessageId must match
    /// too, so a rowid renumbered in between (VACUUM) changes nothing.
    private static func moveCompressed(rowid: Int64, messageId: String, _ bytes: [UInt8], in database: Database) throws(StoreError) -> Int {
        try database.run("""
            UPDATE sns_messages SET rowid = (SELECT max(rowid) + 1 FROM sns_messages), raw = ?3, raw_format = 1
            WHERE rowid = ?1 AND message_id = ?2 AND raw_format = 0
            """) {
            $0.bind(rowid, at: 1)
            $0.bind(messageId, at: 2)
            $0.bind(bytes, at: 3)
        }
    }
}
