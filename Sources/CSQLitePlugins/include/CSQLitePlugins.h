#ifndef CSQLITEPLUGINS_H
#define CSQLITEPLUGINS_H

// Two SQLite plug-ins, owned by SluiceStore; each .c file says why and what rules it keeps:
// - wal_buffer.c: a VFS ("sluice-walbuf") over the default one that gathers a connection's WAL writes
//   into one write per commit;
// - page_cache.c: SQLite's default page cache with the lock-byte page's number kept out of its range.
// And one helper for the store's own file checks: file_identity.c.

/// Installs the page cache for every connection opened afterwards. Must run before SQLite initialises
/// (before the first connection); returns a SQLite result code (SQLITE_MISUSE if it was too late).
int CSQLitePlugins_install_page_cache(void);

/// How often SQLite parked a page under the lock-byte page's number (process-wide; tests).
long long CSQLitePlugins_page_cache_lock_page_rekeys(void);

/// The name to pass to sqlite3_open_v2 once CSQLitePlugins_register_wal_buffer() returned SQLITE_OK.
#define CSQLITEPLUGINS_WAL_BUFFER_VFS_NAME "sluice-walbuf"

/// Registers the VFS (not as the default). Idempotent and thread-safe; returns a SQLite result code.
int CSQLitePlugins_register_wal_buffer(void);

/// What the buffer did for one connection's WAL (tests and benchmarks): read with
/// sqlite3_file_control(db, "main", CSQLITEPLUGINS_WAL_BUFFER_FCNTL_STATISTICS, &statistics).
typedef struct {
    /// Writes made to the WAL file (a gathered commit is one per 124 KiB).
    long long walWrites;
    /// How often frames were still buffered when SQLite was about to publish a WAL-index header.
    long long barrierFlushes;
    /// Syncs of the WAL file through this connection (SQLite makes them only in checkpoints).
    long long walSyncs;
    /// Syncs of the main database file skipped while CSQLITEPLUGINS_WAL_BUFFER_FCNTL_DEFER_DATABASE_SYNC was on.
    long long deferredDatabaseSyncs;
} CSQLitePluginsWALBufferStatistics;

#define CSQLITEPLUGINS_WAL_BUFFER_FCNTL_STATISTICS 0x534c5701

/// Test hook, an int argument: the connection's next that many writes to its WAL fail with
/// SQLITE_IOERR_WRITE (0 clears it).
#define CSQLITEPLUGINS_WAL_BUFFER_FCNTL_FAIL_WRITES 0x534c5702

/// An int argument: non-zero, the connection's syncs of its main database file are skipped (counted in
/// deferredDatabaseSyncs) until it is set to 0 again; its WAL is still synced. For a checkpoint whose caller
/// syncs the database file itself afterwards (SluiceStore's DatabaseSyncer): with `synchronous = NORMAL`
/// SQLite syncs the WAL under the checkpoint's lock right before copying, so every frame copied is
/// durable, whichever process wrote it, while the database file's sync after the copy is left to the caller.
#define CSQLITEPLUGINS_WAL_BUFFER_FCNTL_DEFER_DATABASE_SYNC 0x534c5703

/// A file's identity: its device and inode numbers.
typedef struct {
    unsigned long long device;
    unsigned long long inode;
} CSQLitePluginsFileIdentity;

/// The identity of the file `path` names, or of `descriptor` when `path` is NULL, read with statx()
/// asking for the inode number alone, so that the file's timestamps are not marked as queried (see
/// file_identity.c). Returns 0, or the errno value of the failure.
int CSQLitePlugins_file_identity(int descriptor, const char *path, CSQLitePluginsFileIdentity *identity);

#endif
