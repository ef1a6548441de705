import CSQLite
import CSQLitePlugins

// The SQLite plug-ins of `Sources/CSQLitePlugins`: the WAL buffer VFS every connection opens with, and
// the page cache `Database.configureLibrary` installs.

/// What the WAL buffer did for one connection's WAL.
struct WALBufferStatistics: Equatable, Sendable {
    /// Writes made to the WAL file: one per commit up to 124 KiB of frames.
    var writes: Int
    /// Commits whose last frames were still buffered when SQLite was about to publish them.
    var barrierFlushes: Int
    /// Syncs of the WAL through this connection (SQLite's own, in checkpoints).
    var walSyncs = 0
    /// Syncs of the database file skipped while deferred (`checkpointPassiveDeferringDatabaseSync`).
    var deferredDatabaseSyncs = 0
}

extension Database {
    /// The VFS every connection opens with: the default one, with the WAL frames of one commit gathered
    /// into one write (`Sources/CSQLitePlugins/wal_buffer.c`); nil (the default VFS as is) only if it
    /// could not be registered, which happens only when SQLite itself cannot initialise.
    static let walBufferVFS: String? =
        CSQLitePlugins_register_wal_buffer() == SQLITE_OK ? CSQLITEPLUGINS_WAL_BUFFER_VFS_NAME : nil

    /// This connection's WAL buffer figures; nil if it was opened without the buffer.
    var walBufferStatistics: WALBufferStatistics? {
        var statistics = CSQLitePluginsWALBufferStatistics()
        let rc = withHandle { sqlite3_file_control($0, "main", CSQLITEPLUGINS_WAL_BUFFER_FCNTL_STATISTICS, &statistics) }
        guard rc == SQLITE_OK else { return nil }
        return WALBufferStatistics(
            writes: Int(statistics.walWrites), barrierFlushes: Int(statistics.barrierFlushes),
            walSyncs: Int(statistics.walSyncs), deferredDatabaseSyncs: Int(statistics.deferredDatabaseSyncs))
    }

    /// How often SQLite parked a page under the lock-byte page's number, process-wide
    /// (`Sources/CSQLitePlugins/page_cache.c`; tests).
    static var pageCacheLockPageRekeys: Int { Int(CSQLitePlugins_page_cache_lock_page_rekeys()) }

    /// While `deferring`, SQLite's syncs of this connection's database file are skipped (its WAL's are not);
    /// false if the connection was opened without the WAL buffer VFS.
    func deferDatabaseSyncs(_ deferring: Bool) -> Bool {
        var argument: Int32 = deferring ? 1 : 0
        let rc = withHandle { sqlite3_file_control($0, "main", CSQLITEPLUGINS_WAL_BUFFER_FCNTL_DEFER_DATABASE_SYNC, &argument) }
        return rc == SQLITE_OK
    }

    /// Test hook: this connection's next `count` writes to its WAL fail with SQLITE_IOERR_WRITE.
    func failNextWALWrites(_ count: Int) {
        var remaining = Int32(clamping: count)
        _ = withHandle { sqlite3_file_control($0, "main", CSQLITEPLUGINS_WAL_BUFFER_FCNTL_FAIL_WRITES, &remaining) }
    }
}
