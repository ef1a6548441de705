import CSQLite
import Foundation
import Synchronization

/// Test hooks: make COMMIT fail (SQLite's commit hook turns it into a rollback, SQLITE_CONSTRAINT_COMMITHOOK),
/// make the WAL sync fail, hold the sync thread, and record the order of acknowledged commits.
final class CommitFault: @unchecked Sendable {
    // @unchecked: `held` is guarded by `gate`; the rest are atomics or a Mutex.
    let failCommits = Atomic<Bool>(false)
    /// The sync thread's `fdatasync` fails with EIO (nothing is called).
    let failSyncs = Atomic<Bool>(false)
    /// When true, every acknowledged commit's number is appended to `acknowledgedCommits`.
    let recordAcknowledgements = Atomic<Bool>(false)
    let acknowledgedCommits = Mutex<[Int]>([])
    private let gate = NSCondition()
    private var held = false

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

    /// Makes the sync thread wait before its next `fdatasync` until `releaseSyncs()`.
    func holdSyncs() {
        gate.lock()
        held = true
        gate.unlock()
    }

    func releaseSyncs() {
        gate.lock()
        held = false
        gate.broadcast()
        gate.unlock()
    }

    /// Called by the sync thread before each sync.
    func waitWhileHeld() {
        gate.lock()
        while held { gate.wait() }
        gate.unlock()
    }

    /// Called by the sync thread for each commit it acknowledges, in order.
    func acknowledged(_ commit: Int) {
        guard recordAcknowledgements.load(ordering: .relaxed) else { return }
        acknowledgedCommits.withLock { $0.append(commit) }
    }
}
