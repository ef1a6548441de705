import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// Schema v10: the SNS dedupe keyed by `(sns_timestamp, message_id)`, the table rebuilt with its rows.
struct MessageDedupeMigrationTests {
    /// Rows written before v10 (a zlib copy, one still waiting for compression, one in a pack) keep their
    /// rowids and audit copies, and still answer redeliveries as duplicates.
    @Test func upgradeKeepsRowsAndTheirDedupe() async throws {
        let directory = try TemporaryDirectory()
        try directory.openStore(migrations: Schema.migrations.filter { $0.version < 10 }).close()
        let published = referenceDate.addingTimeInterval(-30)
        do {
            let database = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 1000)
            try database.run("INSERT INTO sns_audit_packs (id, created_at, message_count, raw_format, data) VALUES (1, 0, 1, 0, x'00414243')")
            try database.run("""
                INSERT INTO sns_messages (rowid, message_id, type, topic_arn, sns_timestamp, received_at, endpoint, event_count,
                    raw, raw_format, pack_id, pack_offset, pack_length) VALUES
                (7, 'zlib', 'Notification', 't', ?1, ?1, 'default', 0, x'789c0300', 1, NULL, NULL, NULL),
                (8, 'pending', 'Notification', 't', ?1, ?1, 'default', 0, x'7b7d', 0, NULL, NULL, NULL),
                (9, 'packed', 'Notification', 't', ?1, ?1, 'default', 0, x'', 2, 1, 1, 3)
                """) { $0.bind(published, at: 1) }
        }

        let store = try directory.openStore()
        defer { store.close() }
        #expect(try await store.schemaVersion() == Schema.migrations.last?.version)
        let rows = try await store.readers.read { database throws(StoreError) in
            try database.strings("SELECT rowid || ':' || message_id FROM sns_messages ORDER BY rowid")
        }
        #expect(rows == ["7:zlib", "8:pending", "9:packed"])
        #expect(try await store.auditCopy(messageId: "zlib") == AuditCopy(messageId: "zlib", format: .zlib, bytes: [0x78, 0x9C, 0x03, 0x00]))
        #expect(try await store.auditCopy(messageId: "packed") == AuditCopy(messageId: "packed", format: .identity, bytes: Array("ABC".utf8)))
        #expect(try await store.uncompressedAuditBlobs(limit: 10, maxBytes: 1 << 20).map(\.owner).contains(.row(8, messageId: "pending")))

        var redelivered = InboundMessage.make(id: "zlib", receivedAt: referenceDate)
        redelivered.timestamp = published
        #expect(try await store.ingest(redelivered, events: [], policy: TestPolicy()) == .duplicate)
        #expect(try await store.ingest(.make(id: "new"), events: [], policy: TestPolicy()) == .stored(events: 0))

        let indexes = try await store.readers.read { database throws(StoreError) in
            try database.strings("SELECT name || ':' || \"unique\" FROM pragma_index_list('sns_messages') ORDER BY name")
        }
        #expect(indexes == ["sns_messages_dedupe:1", "sns_messages_raw_pending:0", "sns_messages_received:0"])
        #expect(try await store.integrityCheck(quick: false) == [])
    }
}
