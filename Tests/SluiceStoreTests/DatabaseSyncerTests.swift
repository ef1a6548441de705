import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// The database file's sync after a checkpoint runs beside the commits: acknowledgements do not wait for it,
/// the WAL never starts over (overwriting frames) before it is done, and a failed one fails the store while
/// the WAL keeps every acknowledged commit.
struct DatabaseSyncerTests {
    /// The WAL header's checkpoint sequence number: SQLite increments it each time the WAL starts over.
    private static func walSequence(_ directory: TemporaryDirectory) throws -> UInt32 {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: directory.databasePath + "-wal"))
        defer { try? handle.close() }
        let header = try #require(try handle.read(upToCount: 32))
        try #require(header.count == 32)
        return header[12..<16].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func walBytes(_ directory: TemporaryDirectory) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: directory.databasePath + "-wal")[.size] as? Int ?? 0
    }

    /// Ingests one message at a time until the writer checkpointed once more (bounded); returns their ids.
    private static func ingestUntilCheckpoint(_ store: SQLiteStore, prefix: String) async throws -> [String] {
        let checkpoints = store.writerStatistics.checkpoints
        var ids: [String] = []
        for index in 0..<200 where store.writerStatistics.checkpoints == checkpoints {
            ids.append("\(prefix)-\(index)")
            #expect(try await store.ingestHardBounce(ids[index]) == .stored(events: 1))
            // The writer checkpoints after acknowledging; a job behind the ingest ends once that is done.
            _ = try? await store.writer.submit { _ in }
        }
        try #require(store.writerStatistics.checkpoints == checkpoints + 1)
        return ids
    }

    @Test func commitsGoOnWhileTheDatabaseFileSyncIsHeldAndTheWALDoesNotStartOver() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore(checkpointPages: 64)
        defer { store.close() }
        store.writer.fault.databaseSyncs.hold()
        var ids = try await Self.ingestUntilCheckpoint(store, prefix: "before")
        // The checkpoint copied the WAL into the database file; its sync waits at the gate.
        try await waitUntil { store.writer.fault.databaseSyncs.hasWaiter }
        let sequence = try Self.walSequence(directory)
        let bytes = try Self.walBytes(directory)
        let checkpoints = store.writerStatistics.checkpoints
        // Another connection (as another process would) commits first, right after the checkpoint copied
        // the whole WAL: without the pin, its commit would start the WAL over.
        let other = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 5000)
        try other.execute("INSERT INTO write_probe (id, probed_at) VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET probed_at = 0")
        #expect(try Self.walSequence(directory) == sequence)
        // Acknowledged without that sync. Without the pin the first of these commits would start the WAL
        // over, overwriting frames the database file does not hold durably yet.
        for index in 0..<3 {
            ids.append("during-\(index)")
            #expect(try await store.ingestHardBounce("during-\(index)") == .stored(events: 1))
        }
        #expect(store.writerStatistics.checkpoints == checkpoints)
        #expect(store.writerStatistics.databaseSyncs == 0)
        #expect(try Self.walSequence(directory) == sequence)
        #expect(try Self.walBytes(directory) > bytes)

        store.writer.fault.databaseSyncs.release()
        try await waitUntil { store.writerStatistics.databaseSyncs >= 1 }
        // Synced: the WAL starts over again, at the latest at the next checkpoint that copies all of it.
        for index in 0..<200 where try Self.walSequence(directory) == sequence {
            ids.append("after-\(index)")
            #expect(try await store.ingestHardBounce("after-\(index)") == .stored(events: 1))
        }
        #expect(try Self.walSequence(directory) != sequence)
        #expect(store.writerStatistics.failedDatabaseSyncs == 0)

        store.close()
        let reopened = try directory.openStore()
        defer { reopened.close() }
        for id in ids { #expect(try await reopened.hasMessage(id: id)) }
        #expect(try await reopened.integrityCheck().isEmpty)
    }

    /// Frames another process commits (the CLI while the service runs) are not covered by the writer's own
    /// WAL syncs; the checkpoint may copy them into the database file all the same, so it must sync the WAL
    /// itself, after choosing what to copy and before copying. Its database file's sync stays deferred.
    @Test func checkpointSyncsTheWALItCopiesFromAlsoForAnotherConnectionsFrames() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore(checkpointPages: 64)
        defer { store.close() }
        _ = try await Self.ingestUntilCheckpoint(store, prefix: "warm")
        try await waitUntil { store.writerStatistics.databaseSyncs >= 1 }
        let before = try #require(try await store.writer.submit { database in database.walBufferStatistics })

        // Another connection commits without syncing (as another process does before its own sync ends):
        // nothing of this process ever syncs the WAL after these frames.
        let other = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 5000)
        try other.execute("PRAGMA synchronous = OFF")
        try other.execute("INSERT INTO write_probe (id, probed_at) VALUES (1, 7) ON CONFLICT (id) DO UPDATE SET probed_at = 7")

        _ = try await Self.ingestUntilCheckpoint(store, prefix: "next")
        let after = try #require(try await store.writer.submit { database in database.walBufferStatistics })
        // One checkpoint ran: SQLite synced the WAL inside it (before its copy), through the writer's connection.
        #expect(after.walSyncs == before.walSyncs + 1)
        // The database file's sync is left to the DatabaseSyncer, which does it beside the commits.
        try await waitUntil { store.writerStatistics.databaseSyncs >= 2 }
        #expect(store.writerStatistics.failedDatabaseSyncs == 0)
        #expect(try other.strings("SELECT count(*) FROM write_probe WHERE probed_at = 7") == ["1"])
    }

    @Test func failedDatabaseFileSyncFailsTheStoreAndKeepsTheWAL() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore(checkpointPages: 64)
        store.writer.fault.failDatabaseSyncs.store(true, ordering: .relaxed)
        // The commit before the checkpoint was acknowledged: its WAL sync worked.
        let ids = try await Self.ingestUntilCheckpoint(store, prefix: "acknowledged")
        try await waitUntil { store.writerStatistics.failedDatabaseSyncs == 1 }
        let sequence = try Self.walSequence(directory)

        let error = await #expect(throws: StoreError.self) { try await store.ingestHardBounce("refused") }
        #expect(error?.code == .io)
        #expect(error?.isTransient == true)  // SNS retries; after a restart it is stored
        #expect(error?.message.contains("restart the service") == true)
        let probe = await #expect(throws: StoreError.self) { try await store.checkWritable() }
        #expect(probe?.code == .io)
        // No recovery in this process: the store keeps refusing, and the WAL is never started over.
        store.writer.fault.failDatabaseSyncs.store(false, ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(1100))
        await #expect(throws: StoreError.self) { try await store.checkWritable() }
        #expect(try Self.walSequence(directory) == sequence)
        store.close()
        #expect(try Self.walBytes(directory) > 0)

        // A restart rebuilds the WAL index from the file, so every frame is copied again.
        let reopened = try directory.openStore(checkpointPages: 64)
        defer { reopened.close() }
        for id in ids { #expect(try await reopened.hasMessage(id: id)) }
        #expect(try await reopened.hasMessage(id: "refused") == false)
        #expect(try await reopened.ingestHardBounce("refused") == .stored(events: 1))
        try await reopened.checkWritable()
        #expect(try await reopened.integrityCheck().isEmpty)
    }

    @Test func walStartsOverUnderConcurrentLoad() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore(checkpointPages: 16)
        defer { store.close() }
        _ = try await store.ingestHardBounce("first")
        let sequence = try Self.walSequence(directory)
        // Slow database file syncs and concurrent ingests: a transaction has always begun before the sync of
        // the last checkpoint ends, so the WAL starts over only because a checkpoint makes the next COMMIT
        // wait for that sync.
        store.writer.fault.databaseSyncDelayMilliseconds.store(20, ordering: .relaxed)
        try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
            for index in 0..<600 {
                if index >= 32 { #expect(try await group.next() == .stored(events: 1)) }
                group.addTask { try await store.ingestHardBounce("load-\(index)") }
            }
            for try await outcome in group { #expect(outcome == .stored(events: 1)) }
        }
        let statistics = store.writerStatistics
        #expect(statistics.databaseSyncs >= 2)
        #expect(statistics.failedDatabaseSyncs == 0)
        #expect(try Self.walSequence(directory) != sequence)
        // Bounded: four checkpoint periods, plus what commits add while the last of them is synced.
        #expect(try Self.walBytes(directory) < 400 * (4096 + 24))
        store.close()
        let reopened = try directory.openStore()
        defer { reopened.close() }
        for index in [0, 299, 599] { #expect(try await reopened.hasMessage(id: "load-\(index)")) }
        #expect(try await reopened.counts(byReason: Date())[.hardBounce] == 601)
    }
}
