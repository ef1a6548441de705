import CSQLite
import Synchronization

/// Test hook: makes COMMIT fail (SQLite's commit hook turns it into a rollback, SQLITE_CONSTRAINT_COMMITHOOK).
final class CommitFault: Sendable {
    let failCommits = Atomic<Bool>(false)

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
}
