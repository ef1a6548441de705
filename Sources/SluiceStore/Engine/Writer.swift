import CSQLite
import Foundation
import Logging
import SluiceCore
import Synchronization

/// The single writer: one dedicated thread owns the write connection and group-commits queued jobs.
///
/// The thread takes every pending job, runs them in one `BEGIN IMMEDIATE … COMMIT`, then hands the
/// committed jobs to the sync thread (`WALSyncer`), which resumes them once an `fdatasync` of the WAL
/// covers their commit, while this thread applies the next batch. Rows the jobs of a transaction gather in
/// memory (`TransactionBuffer`) are inserted just before its COMMIT. A failing job fails alone: the group
/// is rolled back and applied again with a savepoint per job, and only that job's savepoint is rolled back
/// (its caller gets the error at once). A failed COMMIT fails the jobs of that transaction and leaves
/// nothing of them written. After a failed sync the writer refuses jobs until a complete checkpoint and a
/// working sync prove the file durable again (`recoverDurability`). Checkpoints run between transactions,
/// and the database file's sync after them on a thread of its own (`DatabaseSyncer`).
final class Writer: @unchecked Sendable {
    // @unchecked: `pending`/`closed` are guarded by `condition`; `database` is touched only by the writer
    // thread once it has started (and by `init` before that).
    private let condition = NSCondition()
    private var pending: [any PendingWrite] = []
    private var closed = false
    private var database: Database?
    private let finished = DispatchSemaphore(value: 0)
    private let joined = Mutex(false)
    private let stats = Mutex(WriterStatistics())
    private let logger: Logger
    let fault = CommitFault()
    private let syncer: WALSyncer
    /// Whether the database's path still names the connection's file (nil: an in-memory database).
    private let fileWatch: DatabaseFileWatch?
    /// Syncs the database file after checkpoints; nil: checkpoints sync it themselves (SQLite's way).
    private let databaseSyncer: DatabaseSyncer?
    /// Commits so far (writer thread only); numbers the batches handed to the syncer.
    private var commitNumber = 0
    private var lastRecoveryFailure = ContinuousClock.now - .seconds(60)
    /// Rate limit of the failure logs below (writer thread only).
    private var failureLog = FailureLogLimit()
    /// Most jobs one transaction gathers while waiting for the syncer (bounds a transaction's size).
    private static let largestGroup = 2000
    /// Renews every connection to the file (readers too) and returns the new write connection (see
    /// `reopenIfReadOnly`); nil: never reopen.
    private let reopen: (@Sendable () throws(StoreError) -> Database)?
    private var lastReopen = ContinuousClock.now - .seconds(60)
    /// A write failed with SQLITE_READONLY on the current connection, or the WAL file we sync is no longer
    /// the connection's (writer thread only): renew the connections.
    private var mustRenew = false

    /// WAL frames after which the writer checkpoints, between two transactions (0: never; then SQLite's
    /// automatic checkpoint runs inside COMMIT, if the connection still has it).
    private let checkpointFrames: Int
    /// WAL frames at the last checkpoint (writer thread only); the next is due `checkpointFrames` later.
    private var framesAtCheckpoint = 0
    /// The last checkpoint should let the WAL start over: the next COMMIT waits for the database file's sync
    /// (`awaitDatabaseSyncBeforeRestart`). Writer thread only.
    private var restartAwaitsDatabaseSync = false
    /// Checkpoint periods the WAL may grow to while the database file's syncs run beside the commits;
    /// then a checkpoint lets it start over.
    private static let checkpointsPerRestart = 4

    /// `openSpare` opens a read-only connection for `DatabaseSyncer`; nil: checkpoints sync the file themselves.
    init(
        database: Database, logger: Logger, checkpointFrames: Int = 0,
        openSpare: (@Sendable () throws(StoreError) -> Database)? = nil,
        reopen: (@Sendable () throws(StoreError) -> Database)? = nil
    ) {
        self.database = database
        self.checkpointFrames = checkpointFrames
        self.logger = logger
        self.reopen = reopen
        fault.install(on: database)
        fileWatch = DatabaseFileWatch(path: database.path, logger: logger)
        syncer = WALSyncer(walPath: database.path + "-wal", fault: fault, logger: logger, databaseFile: fileWatch)
        if checkpointFrames > 0, let openSpare {
            databaseSyncer = DatabaseSyncer(openSpare: openSpare, fault: fault, logger: logger)
        } else {
            databaseSyncer = nil
        }
        syncer.onSyncEnd = { [unowned self] in syncEnded() }
        databaseSyncer?.onSyncEnd = { [unowned self] in syncEnded() }
        let thread = Thread { [self] in
            ThreadName.setCurrent("sluice.writer")
            loop()
        }
        thread.start()
    }

    var statistics: WriterStatistics {
        var statistics = stats.withLock { $0 }
        (statistics.syncs, statistics.failedSyncs) = syncer.syncCounts
        if let databaseSyncer { (statistics.databaseSyncs, statistics.failedDatabaseSyncs) = databaseSyncer.syncCounts }
        return statistics
    }

    /// Jobs queued and not yet taken by the writer thread.
    var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count
    }

    /// Runs `body` on the writer thread inside its own savepoint of a group-committed transaction and
    /// returns once that transaction is committed and the WAL synced past it.
    /// `alone`: a large job (an import chunk) committed in a transaction of its own, without a savepoint.
    @discardableResult
    func submit<T: Sendable>(alone: Bool = false, _ body: @escaping @Sendable (Database) throws(StoreError) -> T) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            let job = TypedWrite(body, alone: alone, continuation: continuation)
            condition.lock()
            if closed {
                condition.unlock()
                continuation.resume(returning: .failure(StoreError(.unavailable, "store is closed")))
                return
            }
            pending.append(job)
            condition.signal()
            condition.unlock()
        }
        return try result.get()
    }

    /// Why writes are refused because the database's path no longer names the open file, or nil.
    func checkDatabaseFile() -> StoreError? { fileWatch?.check() }

    /// Stops accepting jobs, lets the thread finish queued ones, and waits for it to close the connection.
    func close() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
        let first = joined.withLock { joined in
            defer { joined = true }
            return !joined
        }
        if first { finished.wait() }
    }

    /// Stops accepting jobs without waiting (used from `deinit` paths).
    func shutdown() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while pending.isEmpty && !closed { condition.wait() }
            if pending.isEmpty {
                condition.unlock()
                break
            }
            let jobs = pending
            pending.removeAll(keepingCapacity: true)
            condition.unlock()
            // The file went away (its last commit was not acknowledged, see WALSyncer): no recovery, no new
            // connection (it would create an empty database under the name) until the same file is back.
            if let fileWatch, fileWatch.isAway, let error = fileWatch.check() {
                for job in jobs { job.finish(with: error) }
                continue
            }
            reopenIfReadOnly()
            if let database, let failure = databaseSyncer?.failure {
                // Nothing recovers this but a restart (see DatabaseSyncer); until then the WAL stays as it is.
                database.keepWALOnClose()
                for job in jobs { job.finish(with: failure) }
            } else if let database, let failure = syncer.failure, !recoverDurability(database) {
                for job in jobs { job.finish(with: failure) }
            } else if let database {
                runBatch(jobs, on: database)
            } else {
                let error = StoreError(.readOnly, "the database cannot be opened for writing; retrying")
                for job in jobs { job.finish(with: error) }
            }
        }
        // Acknowledge (or fail) the last commits, and sync the last checkpoint, before the connection goes.
        syncer.stop()
        databaseSyncer?.stop()
        if databaseSyncer?.failure != nil { database?.keepWALOnClose() }
        database = nil
        finished.signal()
    }

    /// After a failed sync, at most once a second: a complete checkpoint copies every commit into the
    /// database file and syncs it (`synchronous = NORMAL` still syncs checkpoints), so nothing committed
    /// depends on WAL pages the kernel may have failed to write; then a sync on a fresh descriptor must work.
    /// Jobs that failed meanwhile may have been committed: their callers got an error, SNS retries, and the
    /// retry is answered as a duplicate only once this recovery made the first copy durable.
    private func recoverDurability(_ database: Database) -> Bool {
        let now = ContinuousClock.now
        guard now - lastRecoveryFailure >= .seconds(1) else { return false }
        // A checkpoint would empty the WAL into a removed file: the commits would be gone for good.
        guard fileWatch?.check() == nil else { return false }
        syncer.drain()
        // The complete checkpoint needs the pin gone (and it syncs the file itself).
        databaseSyncer?.drain()
        do throws(StoreError) {
            try database.checkpoint(truncate: true)
        } catch {
            lastRecoveryFailure = now
            logger.warning("store.sync_recovery_failed", metadata: ["store.error": "\(error)"])
            return false
        }
        do throws(StoreError) {
            try syncer.recover()
        } catch {
            // Everything is in the synced database file now, but our descriptor cannot be trusted (e.g. the
            // -wal file was removed under SQLite): new connections make a new WAL file.
            mustRenew = true
            lastRecoveryFailure = now
            logger.warning("store.sync_recovery_failed", metadata: ["store.error": "\(error)"])
            return false
        }
        logger.notice("store.sync_recovered")
        return true
    }

    /// A connection made while the file system was read-only stays read-only after it turns writable
    /// again; then a new one is opened (at most once a second) so the service recovers without a restart.
    private func reopenIfReadOnly() {
        guard let reopen, database == nil || mustRenew || database?.isReadOnly == true else { return }
        // Checked now, not as last seen: a removal no sync has noticed yet must not get a new, empty file.
        guard fileWatch?.check() == nil else { return }
        let now = ContinuousClock.now
        guard now - lastReopen >= .seconds(1) else { return }
        lastReopen = now
        // Close ours first: `reopen` waits for every connection to the file to be gone (see ReaderPool.renew).
        // Its commits are acknowledged (or failed) before, while the descriptor still names their WAL.
        syncer.drain()
        syncer.reset()
        databaseSyncer?.reset()
        database = nil
        mustRenew = false
        do throws(StoreError) {
            let fresh = try reopen()
            fault.install(on: fresh)
            database = fresh
        } catch {
            logger.warning("store.reopen_failed", metadata: ["store.error": "\(error)"])
            return
        }
        // Still read-only (the file system has not come back yet): say so quietly, the probe reports it.
        if database?.isReadOnly == true {
            logger.debug("store.reopened_read_only")
        } else {
            logger.notice("store.reopened", metadata: ["store.reason": "after a read-only refusal"])
        }
    }

    private func runBatch(_ batch: [any PendingWrite], on database: Database) {
        stats.withLock {
            $0.jobs += batch.count
            $0.largestBatch = max($0.largestBatch, batch.count)
        }
        var queue = batch[...]
        // Jobs run without a savepoint each until one fails; then the group is rolled back and applied
        // again with one (`runJob`), so the failure stays the job's own. A savepoint costs every job a copy
        // of each page it touches into SQLite's sub-journal: ~7 % of the CPU per SNS notification.
        var careful = false
        while !queue.isEmpty {
            do throws(StoreError) {
                try database.execute("BEGIN IMMEDIATE")
            } catch {
                logFailure(.begin, error)
                if error.code == .readOnly { mustRenew = true }
                for job in queue { job.finish(with: error) }
                countFailedCommit()
                return
            }
            database.beginTransactionBuffers()
            if let first = queue.first, first.runsAlone || (queue.count == 1 && !syncer.isBusy) {
                queue.removeFirst()
                runAlone(first, on: database)
                continue
            }
            var applied: [any PendingWrite] = []
            var abort: StoreError?
            var failedFast: (any PendingWrite)?
            group: while true {
                // Up to the next job that must run alone; it starts the next transaction.
                while let next = queue.first, !next.runsAlone, let job = queue.popFirst() {
                    if !careful {
                        guard job.run(database) else {
                            failedFast = job
                            break group
                        }
                        applied.append(job)
                        continue
                    }
                    if let error = runJob(job, on: database) {
                        abort = error
                        break group
                    }
                    if job.failure == nil { applied.append(job) }
                }
                guard queue.isEmpty, applied.count < Self.largestGroup, let more = jobsWhileSyncing() else { break }
                queue.append(contentsOf: more)
            }
            if let failedFast {
                // Its writes cannot be undone alone: undo the group and apply it again, job by job in
                // savepoints. The job runs again there (and fails alone, or succeeds if it was transient).
                if !database.isAutocommit { try? database.execute("ROLLBACK") }
                stats.withLock { $0.retriedGroups += 1 }
                careful = true
                queue = (applied + [failedFast] + queue)[...]
                continue
            }
            if let abort {
                // SQLite rolled the whole transaction back (FULL/IOERR/BUSY can do that): the jobs already
                // applied lost their writes, so run them again in a fresh transaction; the culprit is done.
                if !database.isAutocommit { try? database.execute("ROLLBACK") }
                logFailure(.batchAborted, abort)
                countFailedCommit()
                queue = (applied + queue)[...]
                continue
            }
            careful = false
            do throws(StoreError) {
                try awaitDatabaseSyncBeforeRestart()
                try database.flushTransactionBuffers()
                try database.execute("COMMIT")
                committed(applied)
            } catch {
                if !database.isAutocommit { try? database.execute("ROLLBACK") }
                logFailure(.commit, error)
                countFailedCommit()
                for job in applied { job.finish(with: error) }
            }
        }
    }

    /// Runs a batch of one job with the transaction as its only scope. A savepoint adds nothing there,
    /// and with SQLite 3.40 it makes a large job (a bulk-import chunk) quadratic: each statement walks
    /// the savepoint's in-memory journal.
    private func runAlone(_ job: any PendingWrite, on database: Database) {
        guard job.run(database) else {
            stats.withLock { $0.failedJobs += 1 }
            if !database.isAutocommit { try? database.execute("ROLLBACK") }
            job.finish(with: nil)
            return
        }
        do throws(StoreError) {
            try awaitDatabaseSyncBeforeRestart()
            try database.flushTransactionBuffers()
            try database.execute("COMMIT")
            committed([job])
        } catch {
            if !database.isAutocommit { try? database.execute("ROLLBACK") }
            logFailure(.commit, error)
            countFailedCommit()
            job.finish(with: error)
        }
    }

    /// Runs one job in a savepoint (after a job failed in the group's first attempt). Returns an error only
    /// when the enclosing transaction is lost.
    private func runJob(_ job: any PendingWrite, on database: Database) -> StoreError? {
        do throws(StoreError) {
            // Prepared once (cached): sqlite3_exec would parse it again for every job.
            try database.run("SAVEPOINT job")
        } catch {
            job.finish(with: error)
            return error
        }
        database.savepointTransactionBuffers()
        if job.run(database) {
            do throws(StoreError) {
                try database.run("RELEASE job")
                database.releaseTransactionBuffers()
                return nil
            } catch {
                job.finish(with: error)
                return error
            }
        }
        stats.withLock { $0.failedJobs += 1 }
        let failure = job.failure ?? StoreError(.io, "write job failed")
        if database.isAutocommit {
            job.finish(with: nil)
            return failure
        }
        do throws(StoreError) {
            try database.execute("ROLLBACK TO job; RELEASE job")
            database.rollBackTransactionBuffers()
        } catch {
            job.finish(with: nil)
            return error
        }
        // Nothing of this job will be committed, so its caller can have its error now.
        job.finish(with: nil)
        return nil
    }

    /// Jobs that arrive while a sync runs (or a commit waits for one); nil once the syncer is idle (or the
    /// writer closes) and nothing new came. Committing during a sync would not get them acknowledged
    /// sooner (the next sync covers every commit made meanwhile) but would write the pages several
    /// commits touch several times, so they join the open transaction instead: one commit per sync, as
    /// with synced commits, while the jobs are applied during the previous sync.
    private func jobsWhileSyncing() -> [any PendingWrite]? {
        condition.lock()
        defer { condition.unlock() }
        while pending.isEmpty && !closed && (syncer.isBusy || awaitsDatabaseSync) { condition.wait() }
        guard !pending.isEmpty else { return nil }
        let jobs = pending
        pending.removeAll(keepingCapacity: true)
        stats.withLock {
            $0.jobs += jobs.count
            $0.largestBatch = max($0.largestBatch, jobs.count)
        }
        return jobs
    }

    /// The open transaction's COMMIT is to wait for the database file's sync still running (it will start the
    /// WAL over), so jobs join it meanwhile as during a WAL sync.
    private var awaitsDatabaseSync: Bool { restartAwaitsDatabaseSync && databaseSyncer?.isBusy == true }

    /// Before the first COMMIT after a checkpoint meant to let the WAL start over: waits for the database
    /// file's sync, whose pin would keep the WAL from starting over. The transaction began after that
    /// checkpoint copied the whole WAL, so its COMMIT writes from the WAL's beginning again, once the file
    /// holds every frame durably. Throws when that sync failed: the WAL must not be overwritten.
    private func awaitDatabaseSyncBeforeRestart() throws(StoreError) {
        guard restartAwaitsDatabaseSync, let databaseSyncer else { return }
        restartAwaitsDatabaseSync = false
        databaseSyncer.drain()
        if let failure = databaseSyncer.failure { throw failure }
    }

    /// Wakes the writer thread when a sync ended (see `jobsWhileSyncing`).
    private func syncEnded() {
        condition.lock()
        condition.signal()
        condition.unlock()
    }

    /// Hands the jobs of the transaction just committed to the sync thread, which resumes them.
    private func committed(_ jobs: [any PendingWrite]) {
        stats.withLock { $0.commits += 1 }
        if let failures = failureLog.committed(at: .now) {
            logger.info("store.commits_resumed", metadata: ["store.failed_commits": "\(failures)"])
        }
        commitNumber += 1
        // Every job of the batch failed in its savepoint: nothing of theirs to make durable.
        if !jobs.isEmpty { syncer.enqueue(commit: commitNumber, jobs) }
        checkpointIfDue()
    }

    /// Copies the WAL into the database file once `checkpointFrames` frames came after the last checkpoint.
    /// Run here, after the commit went to the sync thread, it delays only jobs still queued, not the
    /// acknowledgement of the batch just committed (SQLite's own checkpoint runs inside COMMIT, before it).
    /// PASSIVE: a reader holding an old snapshot leaves the rest for the next time.
    ///
    /// With a `DatabaseSyncer`, the writer waits only for SQLite's sync of the WAL inside the checkpoint (so
    /// the frames are durable before pages are overwritten, whichever process committed them) and the page
    /// copies; the database file's sync runs beside the next commits under a pin that keeps the WAL from
    /// starting over meanwhile. Those commits append to the WAL, so once it holds `checkpointsPerRestart`
    /// periods a checkpoint lets it start over: the next COMMIT waits for that sync (its jobs are applied
    /// meanwhile). Without one, SQLite syncs inside the checkpoint and the WAL starts over at the next
    /// transaction once a checkpoint copied all of it.
    ///
    /// The WAL is synced by SQLite and not by waiting for our own `WALSyncer`: that one covers only this
    /// process's commits up to its last sync, and another process (the CLI) may commit frames after it
    /// and before the pin, which the checkpoint would then copy while they are not yet durable in the WAL.
    /// The checkpoint's sync costs the writer thread about what waiting for the `WALSyncer` cost (a sync
    /// of a WAL that has just been synced), once per `checkpointFrames` frames.
    private func checkpointIfDue() {
        guard checkpointFrames > 0, let database else { return }
        let frames = database.walFrames
        // Fewer frames than at the last checkpoint: the WAL started over since (this runs after every commit).
        if frames < framesAtCheckpoint { framesAtCheckpoint = 0 }
        guard frames - framesAtCheckpoint >= checkpointFrames else { return }
        do throws(StoreError) {
            let result: (log: Int, copied: Int)
            if let databaseSyncer {
                guard databaseSyncer.pin() else {
                    result = try database.checkpointPassive()
                    return checkpointed(result)
                }
                do throws(StoreError) {
                    result = try database.checkpointPassiveDeferringDatabaseSync()
                } catch {
                    // Some pages may be copied: they too need the sync before the pin ends.
                    databaseSyncer.syncAndUnpin()
                    throw error
                }
                databaseSyncer.syncAndUnpin()
                restartAwaitsDatabaseSync = result.log == result.copied && frames >= Self.checkpointsPerRestart * checkpointFrames
            } else {
                result = try database.checkpointPassive()
            }
            checkpointed(result)
        } catch {
            // The frames stay in the WAL (the sync thread makes them durable there); the next commit tries again.
            logFailure(.checkpoint, error)
        }
    }

    private func checkpointed(_ result: (log: Int, copied: Int)) {
        framesAtCheckpoint = result.log
        stats.withLock { $0.checkpoints += 1 }
    }

    /// Failures that lose writes at error, checkpoint failures at warning (the WAL keeps the frames), each
    /// kind rate-limited (`FailureLogLimit`): a full disk fails every commit.
    private func logFailure(_ kind: FailureLogLimit.Kind, _ error: StoreError) {
        guard let suppressed = failureLog.failed(kind, at: .now) else { return }
        var metadata: Logger.Metadata = ["store.error": "\(error)"]
        if suppressed > 0 { metadata["store.suppressed"] = "\(suppressed)" }
        logger.log(level: kind.losesCommits ? .error : .warning, "\(kind.message)", metadata: metadata)
    }

    private func countFailedCommit() { stats.withLock { $0.failedCommits += 1 } }
}
