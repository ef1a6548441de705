import Foundation
import Logging
import SluiceCore
import SluicePostgres
import SluiceTestSupport
import Testing
@testable import SluiceApp

/// Imports into the PostgreSQL store, which takes smaller chunks per transaction than SQLite.
@Suite(.serialized)
struct PostgresImportTests {
    /// More rows than one PostgreSQL chunk (50,000): the importer sends chunks the store accepts.
    @Test func importLargerThanOnePostgreSQLChunkIsCommittedInChunks() async throws {
        let server = try await PostgresTestServer.shared()
        let url = try await server.createDatabase()
        let store = try await offPool { try PostgresStore(configuration: PostgresStoreConfiguration(url: url, poolSize: 2)) }
        defer { store.close() }
        let service = SuppressionService(store: store, normalizer: AddressNormalizer(), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let rows = PostgresStore.maxImportChunk + 1
        var csv = ""
        csv.reserveCapacity(rows * 28)
        for i in 0..<rows { csv += "u\(i)@example.com,manual\n" }
        var importer = service.makeImport(format: .csv, source: "test")
        try await importer.feed(Array(csv.utf8))
        let report = try await importer.finish()
        #expect(report.imported == rows)
        #expect(report.rejected == 0)
        #expect(try await store.counts(byReason: Date())[.manual] == rows)
    }

    /// Instances sharing the database: one compresses the audit copies, the others stand by.
    @Test func oneInstanceCompressesTheAuditCopies() async throws {
        let server = try await PostgresTestServer.shared()
        let url = try await server.createDatabase()
        let one = try await offPool { try PostgresStore(configuration: PostgresStoreConfiguration(url: url, poolSize: 1)) }
        let two = try await offPool { try PostgresStore(configuration: PostgresStoreConfiguration(url: url, poolSize: 1)) }
        defer { two.close() }
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let first = AuditCopyCompressor(store: one, logger: logger), second = AuditCopyCompressor(store: two, logger: logger)
        #expect(await first.leads())
        #expect(await !second.leads())
        #expect(await first.leads(), "leadership lasts")
        one.close()  // the leader goes away; its server session ends a moment later
        var took = false
        for _ in 0..<100 where !took {
            took = await second.leads()
            if !took { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(took)
    }
}
