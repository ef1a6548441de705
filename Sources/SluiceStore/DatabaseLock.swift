import Foundation
import SluiceCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The advisory lock beside a SQLite database, `NAME.lock` (flock(2)), that keeps `sluice restore` and the
/// database's users apart. Every `SQLiteStore` holds it shared from before its first connection until it
/// closed them; a restore holds it exclusively while it swaps the files, so no store opens (and so creates)
/// the database while the swap runs. SQLite's own POSIX locks cannot do this: they live on the database
/// file, which the restore replaces, and a store opening the name in between would create a new one.
final class DatabaseLock: Sendable {
    /// The open lock file; -1 once released (closing the descriptor drops the lock).
    private let descriptor: Mutex<Int32>

    private init(descriptor: Int32) { self.descriptor = Mutex(descriptor) }

    deinit { release() }

    /// `NAME.lock` for the database `NAME`.
    static func path(for database: String) -> String { database + ".lock" }

    /// The lock shared, for a store about to open `database`; waits up to `patience` while a restore holds
    /// it. Nil (no lock) where this process cannot create the lock file (a read-only file system, or a
    /// folder it may not write): there a restore by this user cannot swap the files either.
    /// - Throws: `.unavailable` when a restore still holds it after `patience`, or the file cannot be used.
    static func shared(for database: String, patience: Duration) throws(StoreError) -> DatabaseLock? {
        let path = path(for: database)
        let descriptor = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if code == EROFS || code == EACCES || code == EPERM { return nil }
            throw StoreError(.unavailable, "cannot open the lock file '\(path)': \(String(cString: strerror(code)))")
        }
        let deadline = ContinuousClock.now + patience
        while flock(descriptor, LOCK_SH | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(descriptor)
                throw StoreError(.unavailable, "cannot lock '\(path)': \(String(cString: strerror(code)))")
            }
            guard ContinuousClock.now < deadline else {
                close(descriptor)
                throw StoreError(
                    .unavailable, "'\(database)' is being restored (`sluice restore` holds '\(path)'); start again once it finished")
            }
            // A restore holds it only while it swaps two files: a short poll, not worth a thread of its own.
            usleep(50_000)
        }
        return DatabaseLock(descriptor: descriptor)
    }

    /// The lock exclusive, for a restore of `database`, without waiting; nil while a store holds it.
    static func exclusive(for database: String) throws(StoreError) -> DatabaseLock? {
        let path = path(for: database)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw FileSync.error("open the lock file '\(path)'", errno) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { return nil }
            throw FileSync.error("lock '\(path)'", code)
        }
        return DatabaseLock(descriptor: descriptor)
    }

    /// Drops the lock (idempotent).
    func release() {
        descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return }
            close(descriptor)
            descriptor = -1
        }
    }
}
