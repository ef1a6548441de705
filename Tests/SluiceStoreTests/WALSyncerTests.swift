import Foundation
import SluiceCore
@testable import SluiceStore
import Synchronization
import Testing

/// The sync thread: callers are resumed only after an fdatasync of the WAL that follows their commit, in
/// commit order; a failed sync fails them and keeps the store unhealthy until it is durable again.
struct WALSyncerTests {
    @Test func acknowledgesOnlyAfterTheSync() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        _ = try await store.ingestHardBounce("warm-up")  // opens the sync descriptor
        let before = store.writerStatistics
        store.writer.fault.holdSyncs()
        let returned = Atomic<Bool>(false)
        let task = Task {
            let outcome = try await store.ingestHardBounce("held")
            returned.store(true, ordering: .sequentiallyConsistent)
            return outcome
        }
        // Committed (readers see it) but the sync has not run: the caller must still be waiting.
        try await waitUntil { store.writerStatistics.commits > before.commits }
        #expect(try await store.hasMessage(id: "held"))
        #expect(store.writerStatistics.syncs == before.syncs)
        #expect(returned.load(ordering: .sequentiallyConsistent) == false)
        store.writer.fault.releaseSyncs()
        #expect(try await task.value == .stored(events: 1))
        #expect(store.writerStatistics.syncs > before.syncs)
    }

    @Test func idempotencyReplayWaitsUntilTheFirstRequestIsDurable() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        _ = try await store.ingestHardBounce("warm-up")
        let record = IdempotencyRecord(
            key: "replay-key", requestHash: "hash", status: 202, body: Array("{}".utf8), messageId: "msg_1",
            createdAt: Date(timeIntervalSince1970: 1_800_000_000))
        let before = store.writerStatistics
        store.writer.fault.holdSyncs()
        let saving = Task { try await store.saveIdempotency(record) }
        try await waitUntil { store.writerStatistics.commits > before.commits }
        // The row is committed and visible to readers, but not yet on disk: the replay must wait for the sync.
        let replayed = Atomic<Bool>(false)
        let replay = Task {
            let found = try await store.idempotencyRecord(key: "replay-key")
            replayed.store(true, ordering: .sequentiallyConsistent)
            return found
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(replayed.load(ordering: .sequentiallyConsistent) == false)
        store.writer.fault.releaseSyncs()
        #expect(try await saving.value == .stored)
        #expect(try await replay.value?.messageId == "msg_1")
        #expect(try await store.idempotencyRecord(key: "absent") == nil)
    }

    @Test func writerGathersTheNextGroupWhileASyncRuns() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        let before = store.writerStatistics
        store.writer.fault.recordAcknowledgements.store(true, ordering: .relaxed)
        store.writer.fault.holdSyncs()
        // The first commit is taken by a sync that cannot finish. The writer does not wait for it: it applies
        // the next jobs in an open transaction, and commits them once that sync ends.
        var tasks: [Task<IngestOutcome, any Error>] = []
        for index in 0..<3 {
            tasks.append(Task { try await store.ingestHardBounce("ordered-\(index)") })
            if index == 0 {
                try await waitUntil { store.writerStatistics.commits >= before.commits + 1 }
            } else {
                try await waitUntil { store.writerStatistics.jobs >= before.jobs + index + 1 && store.writer.pendingCount == 0 }
            }
        }
        #expect(store.writerStatistics.commits == before.commits + 1)
        #expect(store.writerStatistics.syncs == before.syncs)
        store.writer.fault.releaseSyncs()
        for task in tasks { #expect(try await task.value == .stored(events: 1)) }
        let acknowledged = store.writer.fault.acknowledgedCommits.withLock { $0 }
        #expect(acknowledged.count == 2)
        #expect(acknowledged == acknowledged.sorted())
        #expect(Set(acknowledged).count == acknowledged.count)
    }

    @Test func concurrentCommitsAreAcknowledgedInCommitOrder() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        store.writer.fault.recordAcknowledgements.store(true, ordering: .relaxed)
        try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
            for index in 0..<300 {
                group.addTask { try await store.ingestHardBounce("c-\(index)") }
            }
            for try await outcome in group { #expect(outcome == .stored(events: 1)) }
        }
        let acknowledged = store.writer.fault.acknowledgedCommits.withLock { $0 }
        #expect(!acknowledged.isEmpty)
        #expect(acknowledged == acknowledged.sorted())
        #expect(Set(acknowledged).count == acknowledged.count)
        #expect(store.writerStatistics.failedSyncs == 0)
    }

    @Test func failedSyncFailsTheBatchAndKeepsTheStoreUnhealthyUntilDurable() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        _ = try await store.ingestHardBounce("before")
        store.writer.fault.failSyncs.store(true, ordering: .relaxed)
        let error = await #expect(throws: StoreError.self) { try await store.ingestHardBounce("unsynced") }
        #expect(error?.code == .io)
        #expect(error?.isTransient == true)  // the SNS endpoint answers 503, SNS retries
        #expect(store.writerStatistics.failedSyncs >= 1)
        // Unhealthy: the readiness probe and every write fail while syncs fail.
        let probe = await #expect(throws: StoreError.self) { try await store.checkWritable() }
        #expect(probe?.code == .io)
        await #expect(throws: StoreError.self) { try await store.ingestHardBounce("refused") }

        store.writer.fault.failSyncs.store(false, ordering: .relaxed)
        // Recovery (a complete checkpoint, then a working sync) is tried at most once a second.
        try await waitUntil { (try? await store.checkWritable()) != nil }
        // The failed message was committed before its sync failed; now it is durable, so SNS's retry is
        // a duplicate. The refused one was never applied.
        #expect(try await store.ingestHardBounce("unsynced") == .duplicate)
        #expect(try await store.ingestHardBounce("refused") == .stored(events: 1))
        store.close()
        let reopened = try directory.openStore()
        defer { reopened.close() }
        for id in ["before", "unsynced", "refused"] { #expect(try await reopened.hasMessage(id: id)) }
    }

    @Test func walResetByACheckpointWhileCommitsContinue() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        let walPath = directory.databasePath + "-wal"
        let checkpointer = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 5000)
        // A connection opens the WAL on its first read; before that a checkpoint is a no-op.
        _ = try checkpointer.strings("SELECT count(*) FROM sns_messages")
        let rounds = 8
        var resets = 0
        for round in 0..<rounds {
            // Another connection checkpoints and empties the WAL (TRUNCATE) while commits go on; the writer
            // then restarts the WAL from its start. A checkpoint that loses the race for the lock is fine.
            let checkpoint = Task.detached { (try? checkpointer.checkpoint(truncate: true)) != nil }
            try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
                for index in 0..<40 {
                    group.addTask { try await store.ingestHardBounce("r\(round)-\(index)") }
                }
                for try await outcome in group { #expect(outcome == .stored(events: 1)) }
            }
            _ = await checkpoint.value
            try checkpointer.checkpoint(truncate: true)
            let size = try FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int ?? -1
            if size == 0 { resets += 1 }
        }
        #expect(resets > 0)
        let statistics = store.writerStatistics
        #expect(statistics.failedSyncs == 0)
        // Every round's ingests were acknowledged, so at least one sync ran per round (a round's 40 jobs
        // may share one group commit).
        #expect(statistics.syncs >= rounds)
        store.close()
        let reopened = try directory.openStore()
        defer { reopened.close() }
        for round in 0..<rounds {
            for index in [0, 39] { #expect(try await reopened.hasMessage(id: "r\(round)-\(index)")) }
        }
    }

    @Test func removedWALFileFailsTheBatchInsteadOfAcknowledging() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        _ = try await store.ingestHardBounce("first")
        // SQLite keeps writing to the file it has open; syncing whatever the name points to proves nothing.
        try FileManager.default.removeItem(atPath: directory.databasePath + "-wal")
        let error = await #expect(throws: StoreError.self) { try await store.ingestHardBounce("orphaned") }
        #expect(error?.code == .io)
        // The writer checkpoints everything into the database file and renews its connections (new WAL).
        try await waitUntil { (try? await store.checkWritable()) != nil }
        #expect(try await store.ingestHardBounce("orphaned") == .duplicate)
        #expect(try await store.ingestHardBounce("after") == .stored(events: 1))
        #expect(FileManager.default.fileExists(atPath: directory.databasePath + "-wal"))
    }
}
