import Foundation
import Logging
import SluiceCore

/// The database-file sync thread: the writer's checkpoints do not wait for the database file's sync.
///
/// A checkpoint copies WAL frames into the database file. Until that file is synced, those frames are the
/// only durable copy, so SQLite syncs it inside the checkpoint, before the WAL may start over from its
/// beginning and overwrite them. The writer instead checkpoints with only SQLite's sync of the WAL before
/// the copy (`Database.checkpointPassiveDeferringDatabaseSync`) and hands the database file's sync to
/// this thread. Meanwhile a read transaction on a spare connection, begun before the copy (`pin`), keeps
/// every connection of every process from restarting the WAL: SQLite starts it over only when no reader
/// holds a read mark inside it (`walRestartLog`). Commits go on and append to the WAL, so their
/// acknowledgements never wait for this sync; the transaction ends once the sync is done.
///
/// A failed sync keeps the pin for the life of the process: the kernel may have dropped the copied pages,
/// and SQLite never copies frames it has counted as checkpointed again. The WAL stays the durable copy and
/// the store refuses writes (`failure`) until a restart, whose first connection rebuilds the WAL index and
/// so checkpoints every frame again.
final class DatabaseSyncer: @unchecked Sendable {
    // @unchecked: `syncing` is guarded by `condition` (the thread's). `spare` belongs to the writer
    // thread while no sync is handed over, and to this thread while one is (`syncing`); the condition
    // orders the hand-overs.
    private let thread = SyncThread()
    private var condition: NSCondition { thread.condition }
    private var syncing = false
    private var spare: Database?
    private let openSpare: @Sendable () throws(StoreError) -> Database
    private let fault: CommitFault
    private let logger: Logger
    /// Called (outside this object's lock) when a sync ends; set once before use.
    var onSyncEnd: (@Sendable () -> Void)?

    /// `openSpare` opens a read-only connection to the database (the pin's).
    init(openSpare: @escaping @Sendable () throws(StoreError) -> Database, fault: CommitFault, logger: Logger) {
        self.openSpare = openSpare
        self.fault = fault
        self.logger = logger
        thread.start(name: "sluice.dbsync") { [self] in loop() }
    }

    /// Database-file syncs that succeeded, and those that failed.
    var syncCounts: (syncs: Int, failedSyncs: Int) { thread.syncCounts }

    /// Why the store must not write any more (nil: healthy): a sync failed, see the type's doc.
    var failure: StoreError? { thread.failure }

    /// Whether a sync is handed over and not done.
    var isBusy: Bool {
        condition.lock()
        defer { condition.unlock() }
        return syncing
    }

    /// Writer thread, before a checkpoint: waits for the previous sync, then begins the pin's read
    /// transaction, which sees every commit so far. False (logged): no pin, so the caller must checkpoint
    /// with SQLite's own syncs.
    func pin() -> Bool {
        drain()
        guard failure == nil else { return false }
        do throws(StoreError) {
            let connection: Database
            if let spare {
                connection = spare
            } else {
                connection = try openSpare()
                spare = connection
            }
            try connection.execute("BEGIN")
            // BEGIN is deferred: the first read takes the snapshot and its read mark.
            _ = try connection.strings("SELECT 1 FROM sqlite_schema LIMIT 1")
            return true
        } catch {
            // A connection in an unknown state is not reused.
            spare = nil
            logger.warning("store.checkpoint_pin_failed", metadata: ["store.error": "\(error)"])
            return false
        }
    }

    /// Writer thread, after a checkpoint under `pin` that skipped SQLite's sync of the database file: syncs
    /// the database file on this thread, then ends the pin.
    func syncAndUnpin() {
        condition.lock()
        syncing = true
        condition.broadcast()
        condition.unlock()
    }

    /// Ends the pin (on the thread that holds the spare connection). A pin that will not end would keep
    /// the WAL from ever starting over, so its connection is closed instead, which ends it too.
    private func unpin() {
        do throws(StoreError) {
            try spare?.execute("COMMIT")
        } catch {
            spare = nil
            logger.warning("store.checkpoint_unpin_failed", metadata: ["store.error": "\(error)"])
        }
    }

    /// Waits until no sync is handed over.
    func drain() {
        condition.lock()
        while syncing { condition.wait() }
        condition.unlock()
    }

    /// Writer thread, before it renews the store's connections: closes the spare one (a new one is opened
    /// at the next `pin`). After a failure the pinned connection is kept.
    func reset() {
        drain()
        guard failure == nil else { return }
        spare = nil
    }

    /// Finishes a sync handed over, then ends the thread and closes the spare connection.
    func stop() { thread.stop() }

    private func loop() {
        while true {
            condition.lock()
            while !syncing && !thread.stopped { condition.wait() }
            guard syncing else {
                condition.unlock()
                break
            }
            condition.unlock()

            let error = sync()
            if error == nil { unpin() }
            condition.lock()
            if let error, thread.failed == nil { thread.failed = error }
            syncing = false
            condition.broadcast()
            condition.unlock()
            onSyncEnd?()
        }
        spare = nil
    }

    /// One sync of the database file through the spare connection's descriptor (SQLite's own).
    private func sync() -> StoreError? {
        fault.databaseSyncs.pass()
        let delay = fault.databaseSyncDelayMilliseconds.load(ordering: .relaxed)
        if delay > 0 { Thread.sleep(forTimeInterval: Double(delay) / 1000) }
        do throws(StoreError) {
            if fault.failDatabaseSyncs.load(ordering: .relaxed) {
                throw StoreError(.io, "cannot sync the database file: injected failure")
            }
            guard let spare else { throw StoreError(.io, "cannot sync the database file: no connection") }
            try spare.syncDatabaseFile()
            thread.countSync(succeeded: true)
            return nil
        } catch {
            thread.countSync(succeeded: false)
            let failure = StoreError(
                .io, "the database file could not be synced after a checkpoint (\(error.message)); the write-ahead log keeps every commit, restart the service")
            logger.error("store.database_sync_failed", metadata: ["store.error": "\(error)"])
            return failure
        }
    }
}
