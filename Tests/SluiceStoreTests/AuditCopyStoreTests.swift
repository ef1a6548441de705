import Foundation
import SluiceCore
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
