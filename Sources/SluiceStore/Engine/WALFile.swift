import CSQLitePlugins
import Foundation
import SluiceCore

#if canImport(Glibc)
import Glibc
#endif

/// Our own read-only descriptor on the database's `-wal` file, used only to `fdatasync` it.
///
/// Safe beside SQLite's descriptor: SQLite takes no POSIX locks on the `-wal` file (they live on the
/// database and `-shm` files), so opening and closing a second descriptor cannot drop one of its locks;
/// and `fdatasync` flushes the file's dirty pages whichever descriptor wrote them.
final class WALFile {
    let path: String
    private let descriptor: Int32
    private let identity: CSQLitePluginsFileIdentity

    /// Opens `path` (never creates it) and makes its directory entry durable: SQLite may just have
    /// created the file, and with `synchronous = NORMAL` nothing else syncs the directory.
    init(path: String) throws(StoreError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileSync.error("open the write-ahead log", errno) }
        var identity = CSQLitePluginsFileIdentity()
        let code = CSQLitePlugins_file_identity(descriptor, nil, &identity)
        guard code == 0 else {
            close(descriptor)
            throw FileSync.error("stat the write-ahead log", code)
        }
        self.path = path
        self.descriptor = descriptor
        self.identity = identity
        do throws(StoreError) {
            try Self.syncDirectory(of: path)
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit { close(descriptor) }

    /// `fdatasync` of the file, after checking that `path` still names the file this descriptor holds
    /// (SQLite keeps writing to its own descriptor; syncing a replaced file would prove nothing). The
    /// check reads no timestamps: a `stat()` here made every sync write the inode too (file_identity.c).
    func sync() throws(StoreError) {
        var current = CSQLitePluginsFileIdentity()
        guard CSQLitePlugins_file_identity(-1, path, &current) == 0,
            current.device == identity.device, current.inode == identity.inode
        else {
            throw StoreError(.io, "the write-ahead log file was removed or replaced while the store had it open")
        }
        guard fdatasync(descriptor) == 0 else { throw FileSync.error("fdatasync the write-ahead log", errno) }
    }

    /// `fsync` of the directory holding `path`, so a newly created file's name survives power loss.
    static func syncDirectory(of path: String) throws(StoreError) {
        try FileSync.sync(URL(fileURLWithPath: path).deletingLastPathComponent().path, "the database directory")
    }
}
