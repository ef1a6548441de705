import CSQLite
import Foundation
import Synchronization

/// Test hooks: make COMMIT fail (SQLite's commit hook turns it into a rollback, SQLITE_CONSTRAINT_COMMITHOOK),
/// make the WAL sync or the database file's sync fail, hold either sync thread, and record the order of
/// acknowledged commits.
final class CommitFault: Sendable {
    let failCommits = Atomic<Bool>(false)
    /// The sync thread's `fdatasync` fails with EIO (nothing is called).
    let failSyncs = Atomic<Bool>(false)
    /// The database file's sync after a checkpoint (`DatabaseSyncer`) fails with EIO (nothing is called).
    let failDatabaseSyncs = Atomic<Bool>(false)
    /// Milliseconds each database file sync takes at least (a slow disk), so commits outrun it.
    let databaseSyncDelayMilliseconds = Atomic<Int>(0)
    /// When true, every acknowledged commit's number is appended to `acknowledgedCommits`.
    let recordAcknowledgements = Atomic<Bool>(false)
    let acknowledgedCommits = Mutex<[Int]>([])
    /// Holds the WAL's sync thread before its next `fdatasync` (`holdSyncs`).
    let walSyncs = Gate()
    /// Holds the database file's sync thread before its next sync.
    let databaseSyncs = Gate()

    func install(on database: Database) {
        // The writer keeps this object alive as long as the connection, so the unretained context is valid.
        let context = Unmanaged.passUnretained(self).toOpaque()
        database.withHandle { handle in
            _ = sqlite3_commit_hook(handle, { context in
                guard let context else { return 0 }
                let fault = Unmanaged<CommitFault>.fromOpaque(context).takeUnretainedValue()
                return fault.failCommits.load(ordering: .relaxed) ? 1 : 0
            }, context)
        }
    }

    /// Makes the WAL's sync thread wait before its next `fdatasync` until `releaseSyncs()`.
    func holdSyncs() { walSyncs.hold() }

    func releaseSyncs() { walSyncs.release() }

    /// Called by the sync thread for each commit it acknowledges, in order.
    func acknowledged(_ commit: Int) {
        guard recordAcknowledgements.load(ordering: .relaxed) else { return }
        acknowledgedCommits.withLock { $0.append(commit) }
    }

    /// A gate a sync thread passes before each sync; a test closes it to hold the thread there.
    final class Gate: @unchecked Sendable {
        // @unchecked: `held` and `waiting` are guarded by `condition`.
        private let condition = NSCondition()
        private var held = false
        private var waiting = 0

        func hold() {
            condition.lock()
            held = true
            condition.unlock()
        }

        func release() {
            condition.lock()
            held = false
            condition.broadcast()
            condition.unlock()
        }

        /// Whether a thread waits at the gate now.
        var hasWaiter: Bool {
            condition.lock()
            defer { condition.unlock() }
            return waiting > 0
        }

        /// Called by the sync thread before each sync.
        func pass() {
            condition.lock()
            waiting += 1
            while held { condition.wait() }
            waiting -= 1
            condition.unlock()
        }
    }
}
