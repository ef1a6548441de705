import Foundation
import SluiceCore
import SluiceCrypto
import SluicePostgres
@testable import SluiceStore
import Testing

/// `AuditCopyConformance` on SQLite and PostgreSQL, plus SQLite's crash and upgrade cases.
@Suite(.serialized) struct AuditCopyStoreTests {
    private func withSQLite(_ body: (SQLiteStore) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        try await body(store)
    }

    private func withPostgres(_ body: (PostgresStore) async throws -> Void) async throws {
        let store = try await PostgresFixture.openStore()
        defer { store.close() }
        try await body(store)
    }

    @Test func sqliteUncompressedThenReplaced() async throws { try await withSQLite(AuditCopyConformance.uncompressedThenReplaced) }
    @Test func sqlitePendingBatchesAreBounded() async throws { try await withSQLite(AuditCopyConformance.pendingBatchesAreBounded) }
    @Test func postgresUncompressedThenReplaced() async throws { try await withPostgres(AuditCopyConformance.uncompressedThenReplaced) }
    @Test func postgresPendingBatchesAreBounded() async throws { try await withPostgres(AuditCopyConformance.pendingBatchesAreBounded) }

    /// A ~2 KB body fills a 4 KiB page alone. Compressed copies are moved to the end of the table, packed
    /// several to a page, and the emptied pages hold the next bodies: the file stops growing by a page
    /// per message once their copies are compressed (shrinking them in place kept every page).
    @Test func compressedCopiesArePackedAndTheirPagesReused() async throws {
        try await withSQLite { store in
            let policy = AuditCopyConformance.policy
            func ingest(_ range: Range<Int>) async throws {
                for i in range {
                    let at = referenceDate.addingTimeInterval(Double(i))
                    var body = Array(#"{"Type":"Notification","MessageId":"pack-\#(i)","Message":""#.utf8)
                    body += (0..<2000).map { UInt8(ascii: "a") + UInt8(($0 * 7 + i) % 26) }
                    body += Array(#""}"#.utf8)
                    let message = InboundMessage(
                        messageId: "pack-\(i)", type: "Notification", topicArn: "arn:aws:sns:eu-west-1:123456789012:ses-events",
                        timestamp: at, receivedAt: at, endpoint: "default", raw: body, rawFormat: .identity)
                    #expect(try await store.ingest(message, events: [], policy: policy) == .stored(events: 0))
                }
            }
            func pages() async throws -> Int {
                try await store.readers.read { database throws(StoreError) in Int(try database.strings("PRAGMA page_count")[0]) ?? 0 }
            }
            try await ingest(0..<200)
            let before = try await pages()
            let copies = try await store.uncompressedAuditCopies(limit: 200, maxBytes: 1 << 30)
            #expect(copies.count == 200)
            let compressed = try copies.map { AuditCopy(messageId: $0.messageId, format: .zlib, bytes: try Zlib.compress($0.bytes, level: 1, compact: true)) }
            #expect(compressed.allSatisfy { $0.bytes.count < 1400 })
            #expect(try await store.replaceAuditCopies(compressed) == 200)
            try await ingest(200..<400)
            let after = try await pages()
            // In place: +200 pages for the next 200 bodies (and the 200 first ones kept a page each).
            #expect(after - before < 100, "page_count \(before) → \(after)")
            // Every copy reads back whole, in its form, with its row intact.
            for i in [0, 1, 199] {
                let copy = try #require(try await store.auditCopy(messageId: "pack-\(i)"))
                #expect(copy.format == .zlib)
                #expect(try Zlib.decompress(copy.bytes, maxOutput: 1 << 20).count > 2000)
            }
            #expect(try await store.auditCopy(messageId: "pack-399")?.format == .identity)
            #expect(try await store.hasMessage(id: "pack-0"))
            #expect(try await store.purgeMessages(olderThan: referenceDate.addingTimeInterval(100)) == 100)
            #expect(try await store.uncompressedAuditCopyCount(upTo: 1000) == 200)
        }
    }

    /// A store closed between reading pending copies and replacing them (as a crash would) keeps the
    /// uncompressed copy, and the next pass finishes the job.
    @Test func closedBetweenReadAndReplaceKeepsTheCopy() async throws {
        let directory = try TemporaryDirectory()
        let body = Array("the body as received".utf8)
        do {
            let store = try directory.openStore()
            let message = InboundMessage(
                messageId: "k-1", type: "Notification", topicArn: "arn:aws:sns:eu-west-1:123456789012:ses-events",
                timestamp: referenceDate, receivedAt: referenceDate, endpoint: "default", raw: body, rawFormat: .identity)
            _ = try await store.ingest(message, events: [], policy: TestPolicy())
            #expect(try await store.uncompressedAuditCopies(limit: 10, maxBytes: 1 << 20).count == 1)
            store.close()
        }
        let reopened = try directory.openStore()
        defer { reopened.close() }
        #expect(try await reopened.auditCopy(messageId: "k-1") == AuditCopy(messageId: "k-1", format: .identity, bytes: body))
        #expect(try await reopened.uncompressedAuditCopies(limit: 10, maxBytes: 1 << 20).map(\.messageId) == ["k-1"])
        #expect(try await reopened.replaceAuditCopies([AuditCopy(messageId: "k-1", format: .zlib, bytes: [7])]) == 1)
        #expect(try await reopened.auditCopy(messageId: "k-1")?.format == .zlib)
    }

    /// Rows written before schema v5 hold zlib copies: after the upgrade they read as zlib, never pending.
    @Test func upgradeMarksExistingCopiesZlib() async throws {
        let directory = try TemporaryDirectory()
        let old = try directory.openStore(migrations: Schema.migrations.filter { $0.version < 5 })
        old.close()
        do {
            let database = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 1000)
            try database.run("""
                INSERT INTO sns_messages (message_id, type, topic_arn, sns_timestamp, received_at, endpoint, event_count, raw)
                VALUES ('before-v5', 'Notification', 't', 0, 0, 'default', 0, x'789c0300')
                """)
        }
        let store = try directory.openStore()
        defer { store.close() }
        #expect(try await store.auditCopy(messageId: "before-v5") == AuditCopy(messageId: "before-v5", format: .zlib, bytes: [0x78, 0x9C, 0x03, 0x00]))
        #expect(try await store.uncompressedAuditCopies(limit: 10, maxBytes: 1 << 20).isEmpty)
    }
}
