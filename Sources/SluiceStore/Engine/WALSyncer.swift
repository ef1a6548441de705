import Foundation
import Logging
import SluiceCore

/// The sync thread: makes group commits durable while the writer thread already applies the next batch.
///
/// The write connection runs WAL with `synchronous = NORMAL`, so a COMMIT only `write()`s its frames to the
/// `-wal` file; SQLite itself syncs only around checkpoints ("the WAL file is synchronized before each
/// checkpoint and the database file is synchronized after each completed checkpoint and the WAL file header
/// is synchronized when a WAL file begins to be reused after a checkpoint", https://sqlite.org/pragma.html#pragma_synchronous).
/// The writer hands each committed batch here; this thread calls `fdatasync` on the `-wal` file and only
/// then resumes that batch's callers. One `fdatasync` that starts after a COMMIT returned covers every
/// frame of it (and of every earlier commit), whatever descriptor wrote them. The WAL is only overwritten
/// from the start after a checkpoint has copied and synced all of it into the database file, and only
/// truncated beyond its live frames, so a restart or truncation never takes away a frame this thread has
/// still to sync: such a frame is already durable in the database file.
///
/// Callers are resumed in commit order (one queue, one thread). A failed sync fails that batch and every
/// later one and leaves the store unhealthy (`failure`) until the writer recovers it (`recover`).
final class WALSyncer: @unchecked Sendable {
    // @unchecked: `queue` and `syncing` are guarded by `condition` (the thread's); `file` is used by the
    // sync thread, or by the writer thread only while the queue is drained (`drain`), which the condition
    // orders.
    private struct Committed {
        let number: Int
        let jobs: [any PendingWrite]
    }

    private let thread = SyncThread()
    private var condition: NSCondition { thread.condition }
    private var queue: [Committed] = []
    private var syncing = false
    private var file: WALFile?
    private let walPath: String
    private let fault: CommitFault
    private let logger: Logger
    /// Called (outside this object's lock) when a sync ends; set once before use.
    var onSyncEnd: (@Sendable () -> Void)?

    /// Asked after each sync, before the batches are acknowledged: a commit into a removed database file
    /// is not acknowledged (nil: not watched).
    private let databaseFile: DatabaseFileWatch?

    init(walPath: String, fault: CommitFault, logger: Logger, databaseFile: DatabaseFileWatch? = nil) {
        self.walPath = walPath
        self.databaseFile = databaseFile
        self.fault = fault
        self.logger = logger
        thread.start(name: "sluice.walsync") { [self] in loop() }
    }

    /// `fdatasync` calls that succeeded, and those that failed.
    var syncCounts: (syncs: Int, failedSyncs: Int) { thread.syncCounts }

    /// Why commits cannot be made durable right now (nil: healthy).
    var failure: StoreError? { thread.failure }

    /// Whether a sync is running or a commit waits for one.
    var isBusy: Bool {
        condition.lock()
        defer { condition.unlock() }
        return syncing || !queue.isEmpty
    }

    /// Queues the jobs of commit `number` (just committed by the writer thread) for acknowledgement.
    func enqueue(commit number: Int, _ jobs: [any PendingWrite]) {
        condition.lock()
        if let failed = thread.failed {
            condition.unlock()
            for job in jobs { job.finish(with: failed) }
            return
        }
        queue.append(Committed(number: number, jobs: jobs))
        condition.signal()
        condition.unlock()
    }

    /// Waits until every queued commit is acknowledged or failed and no sync is running.
    func drain() {
        condition.lock()
        while !queue.isEmpty || syncing { condition.wait() }
        condition.unlock()
    }

    /// Forgets the descriptor (the writer opened a new connection, maybe a new `-wal` file). After `drain`.
    func reset() { file = nil }

    /// After `drain`, on the writer thread once a complete checkpoint put every commit into the synced
    /// database file: a fresh descriptor on the `-wal` file and a sync that works end the failure.
    func recover() throws(StoreError) {
        file = nil
        try sync()
        if let gone = databaseFile?.check() { throw gone }
        condition.lock()
        thread.failed = nil
        condition.unlock()
    }

    /// Acknowledges what is queued, then ends the thread.
    func stop() { thread.stop() }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !thread.stopped { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                break
            }
            let batches = queue
            queue.removeAll(keepingCapacity: true)
            let earlier = thread.failed
            syncing = true
            condition.unlock()

            var error = earlier
            if error == nil {
                do throws(StoreError) {
                    try sync()
                } catch let failure {
                    error = failure
                    logger.error("store.sync_failed", metadata: ["store.error": "\(failure)"])
                }
            }
            // Logged by the watch itself, once.
            if error == nil, let gone = databaseFile?.check() { error = gone }
            condition.lock()
            if let error, thread.failed == nil { thread.failed = error }
            syncing = false
            condition.broadcast()
            condition.unlock()

            onSyncEnd?()
            for batch in batches {
                if error == nil { fault.acknowledged(batch.number) }
                for job in batch.jobs { job.finish(with: error) }
            }
        }
        file = nil
    }

    /// One `fdatasync` of the `-wal` file, opening our descriptor first if needed.
    private func sync() throws(StoreError) {
        fault.walSyncs.pass()
        do throws(StoreError) {
            if fault.failSyncs.load(ordering: .relaxed) {
                throw StoreError(.io, "cannot fdatasync the write-ahead log: injected failure")
            }
            if file == nil { file = try WALFile(path: walPath) }
            try file?.sync()
            thread.countSync(succeeded: true)
        } catch {
            // A descriptor whose sync failed is not trusted again (the kernel may have dropped the pages).
            file = nil
            thread.countSync(succeeded: false)
            throw error
        }
    }
}
