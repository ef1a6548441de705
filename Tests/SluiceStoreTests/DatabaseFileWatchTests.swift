import Foundation
import SluiceCore
import SluiceTestSupport
@testable import SluiceStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `rm` or `mv` of the database file while the store runs: SQLite keeps writing to the unlinked file, so
/// the store must stop acknowledging writes and say why, and go on once the same file is back.
struct DatabaseFileWatchTests {
    private func suppress(_ store: SQLiteStore, _ address: String) async throws(StoreError) {
        try await store.putManual(Suppression(
            address: address, scope: "", reason: .manual, detail: nil, firstSeen: Date(), lastSeen: nil, count: 1,
            source: "operator:test", expiresAt: nil))
    }

    @Test func aMovedDatabaseFileRefusesWritesUntilItIsBack() async throws {
        let directory = try TemporaryDirectory()
        let (logger, lines) = CapturingLogHandler.logger()
        let store = try directory.openStore(logger: logger)
        defer { store.close() }
        let path = directory.databasePath
        try await suppress(store, "before@example.com")
        try await store.checkWritable()

        #expect(rename(path, path + ".away") == 0)
        // The first write after the move is committed into the moved file, but not acknowledged.
        let write = await #expect(throws: StoreError.self) { try await suppress(store, "during@example.com") }
        #expect(write?.code == .fileReplaced)
        #expect(write?.isTransient == true, "answered 503")
        let probe = await #expect(throws: StoreError.self) { try await store.checkWritable() }
        #expect(probe?.code == .fileReplaced)
        #expect(probe?.message.contains("removed or replaced") == true)
        let again = await #expect(throws: StoreError.self) { try await suppress(store, "during2@example.com") }
        #expect(again?.code == .fileReplaced)
        #expect(!FileManager.default.fileExists(atPath: path), "no new database was created under the name")
        let gone = lines.named("store.database_file_gone")
        #expect(gone.count == 1, "logged once: \(gone.count)")
        #expect(gone.first?.level == .error)

        #expect(rename(path + ".away", path) == 0)
        try await store.checkWritable()
        try await suppress(store, "after@example.com")
        #expect(try await store.suppression(for: "after@example.com", scope: nil, at: Date()) != nil)
        #expect(lines.named("store.database_file_back").count == 1)
        #expect(try await store.integrityCheck().isEmpty)
    }

    @Test func aRemovedDatabaseFileIsReportedNotReady() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        try await suppress(store, "before@example.com")
        #expect(unlink(directory.databasePath) == 0)
        let probe = await #expect(throws: StoreError.self) { try await store.checkWritable() }
        #expect(probe?.code == .fileReplaced)
        let write = await #expect(throws: StoreError.self) { try await suppress(store, "lost@example.com") }
        #expect(write?.code == .fileReplaced)
        // Still away a moment later: no recovery empties the WAL into the unlinked file, no new file appears.
        try await Task.sleep(for: .milliseconds(1100))
        await #expect(throws: StoreError.self) { try await store.checkWritable() }
        #expect(!FileManager.default.fileExists(atPath: directory.databasePath))
    }
}
