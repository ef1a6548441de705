import Foundation
import SluiceCore

extension PostgresStore: AuditCopyStore {
    public func auditCopy(messageId: String) async throws(StoreError) -> AuditCopy? {
        try await read { connection throws(StoreError) in
            let result = try connection.execute("SELECT raw_format, raw FROM sns_messages WHERE message_id = $1", [.text(messageId)])
            guard result.rowCount > 0 else { return nil }
            guard let format = AuditCopyFormat(rawValue: result.int(0, 0)) else {
                throw StoreError(.corrupt, "unknown audit copy format \(result.int(0, 0))")
            }
            return AuditCopy(messageId: messageId, format: format, bytes: result.bytes(0, 1))
        }
    }

    /// Every copy here is its message's own (PostgreSQL writes each row as it comes; no packs).
    public func uncompressedAuditBlobs(limit: Int, maxBytes: Int) async throws(StoreError) -> [AuditBlob] {
        guard limit > 0 else { return [] }
        return try await read { connection throws(StoreError) in
            let result = try connection.execute(
                "SELECT message_id, raw FROM sns_messages WHERE raw_format = 0 ORDER BY received_at LIMIT $1", [.int(limit)])
            var blobs: [AuditBlob] = []
            var bytes = 0
            for row in 0..<result.rowCount where bytes < maxBytes {
                let blob = AuditBlob(owner: .message(result.string(row, 0)), format: .identity, bytes: result.bytes(row, 1))
                bytes += blob.bytes.count
                blobs.append(blob)
            }
            return blobs
        }
    }

    public func uncompressedAuditCopyCount(upTo limit: Int) async throws(StoreError) -> Int {
        guard limit > 0 else { return 0 }
        return try await read { connection throws(StoreError) in
            let result = try connection.execute(
                "SELECT count(*) FROM (SELECT 1 FROM sns_messages WHERE raw_format = 0 LIMIT $1) AS pending", [.int(limit)])
            return result.int(0, 0)
        }
    }

    public func replaceAuditBlobs(_ compressed: [AuditBlob]) async throws(StoreError) -> Int {
        try AuditBlob.checkReplacements(compressed, maxBytes: Self.maxRawMessageBytes)
        guard !compressed.isEmpty else { return 0 }
        return try await write { connection throws(StoreError) in
            var replaced = 0
            for blob in compressed {
                // No packs or SQLite rows here, so none to replace.
                guard case .message(let messageId) = blob.owner else { continue }
                // raw_format = 0: a copy purged or compressed meanwhile (another instance) is left alone.
                replaced += try connection.execute(
                    "UPDATE sns_messages SET raw = $2, raw_format = 1 WHERE message_id = $1 AND raw_format = 0",
                    [.text(messageId), .bytes(blob.bytes)]).affectedRows
            }
            return replaced
        }
    }
}
