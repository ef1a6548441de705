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

    /// Rows written before packs (schema v9), and bodies too large for one, keep their own copy. A ~2 KB
    /// body fills a 4 KiB page alone, so a compressed copy is moved to the end of the table, packed several
    /// to a page, and the emptied pages hold the next bodies (shrunk in place, every copy kept its page).
    @Test func rowCopiesAreMovedWhenCompressedAndTheirPagesReused() async throws {
        try await withSQLite { store in
            func insertRows(_ range: Range<Int>) async throws {
                try await store.writer.submit { database throws(StoreError) in
                    for i in range {
                        var body = Array(#"{"Type":"Notification","MessageId":"row-\#(i)","Message":""#.utf8)
                        body += (0..<2000).map { UInt8(ascii: "a") + UInt8(($0 * 7 + i) % 26) }
                        body += Array(#""}"#.utf8)
                        try database.run("""
                            INSERT INTO sns_messages (message_id, type, topic_arn, sns_timestamp, received_at, endpoint, event_count, raw, raw_format)
                            VALUES (?1, 'Notification', 't', ?2, ?2, 'default', 0, ?3, 0)
                            """) {
                            $0.bind("row-\(i)", at: 1)
                            $0.bind(referenceDate.addingTimeInterval(Double(i)), at: 2)
                            $0.bind(body, at: 3)
                        }
                    }
                }
            }
            try await insertRows(0..<200)
            let before = try await Self.pageCount(store)
            let blobs = try await store.uncompressedAuditBlobs(limit: 200, maxBytes: 1 << 30)
            #expect(blobs.count == 200)
            #expect(blobs.allSatisfy { if case .row = $0.owner { true } else { false } })
            let compressed = try blobs.map { AuditBlob(owner: $0.owner, format: .zlib, bytes: try Zlib.compress($0.bytes, level: 1, compact: true)) }
            #expect(compressed.allSatisfy { $0.bytes.count < 1400 })
            #expect(try await store.replaceAuditBlobs(compressed) == 200)
            try await insertRows(200..<400)
            let after = try await Self.pageCount(store)
            // In place: +200 pages for the next 200 bodies (and the 200 first ones kept a page each).
            #expect(after - before < 100, "page_count \(before) → \(after)")
            // Every copy reads back whole, in its form, with its row intact.
            for i in [0, 1, 199] {
                let copy = try #require(try await store.auditCopy(messageId: "row-\(i)"))
                #expect(copy.format == .zlib)
                #expect(copy.range == nil)
                #expect(try Zlib.decompress(copy.bytes, maxOutput: 1 << 20).count > 2000)
            }
            #expect(try await store.auditCopy(messageId: "row-399")?.format == .identity)
            #expect(try await store.hasMessage(id: "row-0"))
            #expect(try await store.purgeMessages(olderThan: referenceDate.addingTimeInterval(100)) == 100)
            #expect(try await store.uncompressedAuditCopyCount(upTo: 1000) == 200)
        }
    }

    static func pageCount(_ store: SQLiteStore) async throws -> Int {
        try await store.readers.read { database throws(StoreError) in Int(try database.strings("PRAGMA page_count")[0]) ?? 0 }
    }

    /// A store closed between reading pending blobs and replacing them (as a crash would) keeps the
    /// uncompressed copy, and the next pass finishes the job.
    @Test func closedBetweenReadAndReplaceKeepsTheCopy() async throws {
        let directory = try TemporaryDirectory()
        let body = Array("the body as received".utf8)
        do {
            let store = try directory.openStore()
            _ = try await store.ingest(AuditCopyConformance.message("k-1", body: body), events: [], policy: TestPolicy())
            #expect(try await store.uncompressedAuditBlobs(limit: 10, maxBytes: 1 << 20).count == 1)
            store.close()
        }
        let reopened = try directory.openStore()
        defer { reopened.close() }
        #expect(try await reopened.auditCopy(messageId: "k-1") == AuditCopy(messageId: "k-1", format: .identity, bytes: body))
        let pending = try await reopened.uncompressedAuditBlobs(limit: 10, maxBytes: 1 << 20)
        #expect(pending.map(\.bytes) == [body])
        let zlib = try Zlib.compress(body, level: 1, compact: false)
        #expect(try await reopened.replaceAuditBlobs([AuditBlob(owner: pending[0].owner, format: .zlib, bytes: zlib)]) == 1)
        #expect(try await reopened.auditCopy(messageId: "k-1") == AuditCopy(messageId: "k-1", format: .zlib, bytes: zlib, range: 0..<body.count))
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
        #expect(try await store.uncompressedAuditBlobs(limit: 10, maxBytes: 1 << 20).isEmpty)
    }
}
