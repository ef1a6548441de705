import CSQLitePlugins
import Foundation
import Logging
import SluiceCore
import Synchronization

/// Notices when the database's path no longer names the file the store opened: `rm sluice.sqlite` or a
/// `mv` while the service runs. SQLite keeps writing to its open descriptor, so commits would be
/// acknowledged into a file that is gone at the next restart. The WAL syncer asks before acknowledging
/// each group commit, the readiness probe on each probe; while the file is away the writer refuses jobs
/// (`StoreError.Code.fileReplaced`, 503), and once the same file is back under its name it goes on.
/// Compares device and inode, read without timestamps (see file_identity.c), as `WALFile` does.
final class DatabaseFileWatch: Sendable {
    let path: String
    private let device: UInt64
    private let inode: UInt64
    private let away = Atomic<Bool>(false)
    private let logger: Logger

    /// Nil when `path` names no file (an in-memory database): nothing to watch.
    init?(path: String, logger: Logger) {
        var identity = CSQLitePluginsFileIdentity()
        guard CSQLitePlugins_file_identity(-1, path, &identity) == 0 else { return nil }
        self.path = path
        device = UInt64(identity.device)
        inode = UInt64(identity.inode)
        self.logger = logger
    }

    /// Whether the last check found the file away (no system call).
    var isAway: Bool { away.load(ordering: .acquiring) }

    /// Looks at the path now; the error while it names another file or none. Logs each change once.
    func check() -> StoreError? {
        var current = CSQLitePluginsFileIdentity()
        let present = CSQLitePlugins_file_identity(-1, path, &current) == 0
            && UInt64(current.device) == device && UInt64(current.inode) == inode
        let wasAway = away.exchange(!present, ordering: .acquiringAndReleasing)
        if !present, !wasAway {
            logger.error(
                "store.database_file_gone",
                metadata: [
                    "store.path": "\(path)",
                    "store.action": "writes are refused: put the file back under its name, or stop the service and restore a backup",
                ])
        } else if present, wasAway {
            logger.notice("store.database_file_back", metadata: ["store.path": "\(path)"])
        }
        return present ? nil : Self.error
    }

    static let error = StoreError(
        .fileReplaced, "the database file was removed or replaced while the store had it open; writes are refused until it is back")
}
