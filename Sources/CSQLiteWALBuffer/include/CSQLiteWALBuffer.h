#ifndef CSQLITEWALBUFFER_H
#define CSQLITEWALBUFFER_H

// A SQLite VFS ("sluice-walbuf") over the default one that gathers a connection's WAL writes into one
// write per commit. Owned by SluiceStore. See wal_buffer.c for why and for the rules it keeps.

/// The name to pass to sqlite3_open_v2 once CSQLiteWALBuffer_register() returned SQLITE_OK.
#define CSQLITEWALBUFFER_VFS_NAME "sluice-walbuf"

/// Registers the VFS (not as the default). Idempotent and thread-safe; returns a SQLite result code.
int CSQLiteWALBuffer_register(void);

/// What the buffer did for one connection's WAL (tests and benchmarks): read with
/// sqlite3_file_control(db, "main", CSQLITEWALBUFFER_FCNTL_STATISTICS, &statistics).
typedef struct {
    /// Writes made to the WAL file (a gathered commit is one per 124 KiB).
    long long walWrites;
    /// How often frames were still buffered when SQLite was about to publish a WAL-index header.
    long long barrierFlushes;
} CSQLiteWALBufferStatistics;

#define CSQLITEWALBUFFER_FCNTL_STATISTICS 0x534c5701

/// Test hook, an int argument: the connection's next that many writes to its WAL fail with
/// SQLITE_IOERR_WRITE (0 clears it).
#define CSQLITEWALBUFFER_FCNTL_FAIL_WRITES 0x534c5702

#endif
