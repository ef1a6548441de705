import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// Settings of `SQLiteStoreConfiguration` that shape the file: page size and who checkpoints the WAL.
struct SQLiteStoreConfigurationTests {
    private func configuration(_ directory: TemporaryDirectory, pageSize: Int = 4096, checkpointPages: Int = 1000) -> SQLiteStoreConfiguration {
        SQLiteStoreConfiguration(
            path: directory.databasePath, readerCount: 2, cacheSizeKiB: 2048, pageSize: pageSize, checkpointPages: checkpointPages
        )
    }

    private func pageSize(of store: SQLiteStore) async throws -> String? {
        try await store.readers.read { database throws(StoreError) in try database.strings("PRAGMA page_size").first }
    }

    @Test func newDatabaseTakesTheConfiguredPageSizeAndKeepsIt() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(configuration: configuration(directory, pageSize: 2048))
        #expect(try await pageSize(of: store) == "2048")
        #expect(try await store.ingest(.make(id: "m-1"), events: [.make(.hardBounce)], policy: TestPolicy()) == .stored(events: 1))
        store.close()

        // An existing file keeps its page size whatever the configuration says now.
        let reopened = try SQLiteStore(configuration: configuration(directory, pageSize: 8192))
        defer { reopened.close() }
        #expect(try await pageSize(of: reopened) == "2048")
        #expect(try await reopened.hasMessage(id: "m-1"))
        #expect(try await reopened.integrityCheck().isEmpty)
    }

    @Test func defaultPageSizeIs4096() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        #expect(try await pageSize(of: store) == "4096")
    }

    @Test func writerCheckpointsBetweenTransactionsAndTheWALStartsOver() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(configuration: configuration(directory, checkpointPages: 8))
        defer { store.close() }
        let messages = 100
        for index in 0..<messages {
            let event = RecipientEvent.make(.hardBounce, address: "u\(index)@example.com")
            #expect(try await store.ingest(.make(id: "m-\(index)"), events: [event], policy: TestPolicy()) == .stored(events: 1))
        }
        #expect(store.writerStatistics.checkpoints > 0)
        // Each ingest writes several pages: without checkpoints that start the WAL over it would hold
        // hundreds of frames; with them it never grows much past 8 frames plus one commit.
        let walBytes = try FileManager.default.attributesOfItem(atPath: directory.databasePath + "-wal")[.size] as? Int ?? 0
        #expect(walBytes < 100 * (4096 + 24))
        for index in [0, messages / 2, messages - 1] {
            #expect(try await store.hasMessage(id: "m-\(index)"))
        }
        #expect(try await store.counts(byReason: referenceDate)[.hardBounce] == messages)
        #expect(try await store.integrityCheck().isEmpty)
    }

    @Test func noWriterCheckpointsWhenSQLiteKeepsItsOwn() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(configuration: configuration(directory, checkpointPages: 0))
        defer { store.close() }
        for index in 0..<20 {
            #expect(try await store.ingest(.make(id: "m-\(index)"), events: [.make(.hardBounce, address: "u\(index)@example.com")], policy: TestPolicy()) == .stored(events: 1))
        }
        #expect(store.writerStatistics.checkpoints == 0)
        // Below SQLite's 1,000-page automatic checkpoint: the WAL still holds every commit.
        let walBytes = try FileManager.default.attributesOfItem(atPath: directory.databasePath + "-wal")[.size] as? Int ?? 0
        #expect(walBytes > 20 * (4096 + 24))
    }
}
