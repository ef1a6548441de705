// A SQLite VFS that gathers the frames of one WAL transaction into a single write.
//
// Why: SQLite writes every WAL frame as two writes (its 24-byte header, then the page), and each
// frame straddles two pages of the kernel's page cache, so a commit of N frames costs 2N pwrite
// calls and ~3N page-cache write cycles. Gathered, it is one pwrite over N pages. On the SNS ingest
// path that was ~6 pwrites per notification and a fifth of the writer thread's time.
//
// The rules that keep it exactly as safe as writing through:
// - Only a WAL file of a connection whose main database file is open through this VFS buffers; every
//   other file is passed straight to the default VFS.
// - Writes are buffered only while they are contiguous; any other write, any read, size, truncate,
//   sync, file control or close of the WAL writes the buffer out first, so SQLite never observes the
//   difference and the file sees the same bytes in the same order.
// - A frame header that marks a commit (its "database size after commit" field is not zero) means the
//   write of its page ends the transaction's frames: the buffer is written out there and a failure is
//   returned from that xWrite, so SQLite fails the commit as it would have without the buffer.
// - Backstop: before SQLite publishes a new WAL-index header it calls xShmBarrier on the main database
//   file (walIndexWriteHdr); the buffer is written out there too (needed only when SQLite rewrites
//   frame checksums after the commit frame). xShmBarrier cannot report an error, and a reader must
//   never see a header whose frames are not in the file, so a failed write there aborts the process
//   before the header becomes valid; the WAL is recovered at the next open without that transaction,
//   which no caller was told had committed (acknowledgements wait for the WAL's fdatasync).
// - Frames reach the kernel before the header that makes them visible, and durability still comes
//   only from fsync/fdatasync, so a crash (kill -9) leaves what writing through would have left.
//
// Threading: a connection's files are used by one thread at a time (SQLite's own rule for a
// connection), so a file's buffer needs no lock; the registry that pairs a WAL file with its main
// database file is only touched at open and close, under a mutex.
#include "CSQLitePlugins.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

// The unix VFS writes at most 128 KiB - 1 bytes per xWrite (seekAndWriteFd masks the length), so the
// buffer goes out in chunks below that.
enum { BUFFER_CAPACITY = 1 << 20, WRITE_CHUNK = 124 * 1024, WAL_FRAME_HEADER_SIZE = 24 };

typedef struct BufferedFile BufferedFile;

struct BufferedFile {
    sqlite3_file base;          // must be first: SQLite sees this
    sqlite3_file *real;         // the default VFS's file, stored right after this struct
    const char *databaseName;   // main db: the name it was opened with; pairs it with its WAL (see open)
    BufferedFile *wal;          // main db: its connection's WAL file while that is open
    BufferedFile *database;     // WAL: its connection's main database file
    BufferedFile *nextDatabase; // registry of open main database files
    unsigned char *buffer;      // WAL: pending bytes, written at `offset`
    int length;
    sqlite3_int64 offset;
    sqlite3_int64 commitPageOffset; // WAL: where the page of a pending commit frame goes, or -1
    CSQLitePluginsWALBufferStatistics statistics; // main db: of its WAL, over the connection's life
    int failingWrites;          // main db: test hook, see CSQLITEPLUGINS_WAL_BUFFER_FCNTL_FAIL_WRITES
    int deferringSyncs;         // main db: its xSync is skipped, see CSQLITEPLUGINS_WAL_BUFFER_FCNTL_DEFER_DATABASE_SYNC
};

static sqlite3_vfs *rootVFS;
static sqlite3_vfs bufferedVFS;
static pthread_mutex_t registryLock = PTHREAD_MUTEX_INITIALIZER;
static BufferedFile *openDatabases;

static const sqlite3_io_methods databaseMethods;
static const sqlite3_io_methods walMethods;

// MARK: - The buffer

static int writeThrough(BufferedFile *file, const void *data, int amount, sqlite3_int64 offset) {
    BufferedFile *database = file->database;
    if (database != NULL) {
        database->statistics.walWrites += 1;
        if (database->failingWrites > 0) {
            database->failingWrites -= 1;
            return SQLITE_IOERR_WRITE;
        }
    }
    return file->real->pMethods->xWrite(file->real, data, amount, offset);
}

static int flushBuffer(BufferedFile *file) {
    if (file->length == 0) return SQLITE_OK;
    int length = file->length;
    // Emptied whatever the outcome: a failed write fails the transaction, whose frames SQLite then
    // writes again from scratch, exactly as after a failed write-through.
    file->length = 0;
    for (int done = 0; done < length; done += WRITE_CHUNK) {
        int amount = length - done < WRITE_CHUNK ? length - done : WRITE_CHUNK;
        int rc = writeThrough(file, file->buffer + done, amount, file->offset + done);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

static unsigned readBigEndian32(const unsigned char *bytes) {
    return ((unsigned)bytes[0] << 24) | ((unsigned)bytes[1] << 16) | ((unsigned)bytes[2] << 8) | bytes[3];
}

// MARK: - WAL file methods

static int walClose(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushBuffer(file);
    if (file->database != NULL) file->database->wal = NULL;
    free(file->buffer);
    file->buffer = NULL;
    int closeRC = file->real->pMethods->xClose(file->real);
    return rc != SQLITE_OK ? rc : closeRC;
}

static int walRead(sqlite3_file *handle, void *data, int amount, sqlite3_int64 offset) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xRead(file->real, data, amount, offset);
}

static int walWrite(sqlite3_file *handle, const void *data, int amount, sqlite3_int64 offset) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc;
    if (file->length > 0 && (offset != file->offset + file->length || file->length + amount > BUFFER_CAPACITY)) {
        if ((rc = flushBuffer(file)) != SQLITE_OK) return rc;
    }
    // Allocated at the first write, so the WAL files of connections that only read never take one.
    if (file->buffer == NULL && amount <= WRITE_CHUNK) file->buffer = malloc(BUFFER_CAPACITY);
    if (file->buffer == NULL || amount > WRITE_CHUNK) {
        return writeThrough(file, data, amount, offset);
    }
    if (file->length == 0) file->offset = offset;
    memcpy(file->buffer + file->length, data, (size_t)amount);
    file->length += amount;

    if (offset == file->commitPageOffset) {
        file->commitPageOffset = -1;
        return flushBuffer(file);
    }
    if (amount == WAL_FRAME_HEADER_SIZE) {
        int commits = readBigEndian32((const unsigned char *)data + 4) != 0;
        file->commitPageOffset = commits ? offset + WAL_FRAME_HEADER_SIZE : -1;
    }
    return SQLITE_OK;
}

static int walTruncate(sqlite3_file *handle, sqlite3_int64 size) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xTruncate(file->real, size);
}

static int walSync(sqlite3_file *handle, int flags) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    if (file->database != NULL) file->database->statistics.walSyncs += 1;
    return file->real->pMethods->xSync(file->real, flags);
}

static int walFileSize(sqlite3_file *handle, sqlite3_int64 *size) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xFileSize(file->real, size);
}

static int walFileControl(sqlite3_file *handle, int op, void *argument) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xFileControl(file->real, op, argument);
}

static int walFetch(sqlite3_file *handle, sqlite3_int64 offset, int amount, void **pointer) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xFetch(file->real, offset, amount, pointer);
}

// MARK: - Methods passed through (both kinds of file)

#define REAL(handle) (((BufferedFile *)(handle))->real)

static int passClose(sqlite3_file *handle) { return REAL(handle)->pMethods->xClose(REAL(handle)); }
static int passRead(sqlite3_file *handle, void *data, int amount, sqlite3_int64 offset) {
    return REAL(handle)->pMethods->xRead(REAL(handle), data, amount, offset);
}
static int passWrite(sqlite3_file *handle, const void *data, int amount, sqlite3_int64 offset) {
    return REAL(handle)->pMethods->xWrite(REAL(handle), data, amount, offset);
}
static int passTruncate(sqlite3_file *handle, sqlite3_int64 size) {
    return REAL(handle)->pMethods->xTruncate(REAL(handle), size);
}
static int passSync(sqlite3_file *handle, int flags) { return REAL(handle)->pMethods->xSync(REAL(handle), flags); }
static int passFileSize(sqlite3_file *handle, sqlite3_int64 *size) {
    return REAL(handle)->pMethods->xFileSize(REAL(handle), size);
}
static int passLock(sqlite3_file *handle, int level) { return REAL(handle)->pMethods->xLock(REAL(handle), level); }
static int passUnlock(sqlite3_file *handle, int level) { return REAL(handle)->pMethods->xUnlock(REAL(handle), level); }
static int passCheckReservedLock(sqlite3_file *handle, int *out) {
    return REAL(handle)->pMethods->xCheckReservedLock(REAL(handle), out);
}
static int passFileControl(sqlite3_file *handle, int op, void *argument) {
    return REAL(handle)->pMethods->xFileControl(REAL(handle), op, argument);
}
static int passSectorSize(sqlite3_file *handle) { return REAL(handle)->pMethods->xSectorSize(REAL(handle)); }
static int passDeviceCharacteristics(sqlite3_file *handle) {
    return REAL(handle)->pMethods->xDeviceCharacteristics(REAL(handle));
}
static int passShmMap(sqlite3_file *handle, int region, int size, int extend, void volatile **pointer) {
    return REAL(handle)->pMethods->xShmMap(REAL(handle), region, size, extend, pointer);
}
static int passShmLock(sqlite3_file *handle, int offset, int count, int flags) {
    return REAL(handle)->pMethods->xShmLock(REAL(handle), offset, count, flags);
}
static void passShmBarrier(sqlite3_file *handle) { REAL(handle)->pMethods->xShmBarrier(REAL(handle)); }
static int passShmUnmap(sqlite3_file *handle, int deleteFlag) {
    return REAL(handle)->pMethods->xShmUnmap(REAL(handle), deleteFlag);
}
static int passFetch(sqlite3_file *handle, sqlite3_int64 offset, int amount, void **pointer) {
    return REAL(handle)->pMethods->xFetch(REAL(handle), offset, amount, pointer);
}
static int passUnfetch(sqlite3_file *handle, sqlite3_int64 offset, void *pointer) {
    return REAL(handle)->pMethods->xUnfetch(REAL(handle), offset, pointer);
}

// MARK: - Main database file methods

static int databaseClose(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    pthread_mutex_lock(&registryLock);
    for (BufferedFile **link = &openDatabases; *link != NULL; link = &(*link)->nextDatabase) {
        if (*link == file) { *link = file->nextDatabase; break; }
    }
    pthread_mutex_unlock(&registryLock);
    if (file->wal != NULL) file->wal->database = NULL;  // SQLite closes the WAL first; defensive
    return passClose(handle);
}

// See the file comment: the last point before a new WAL-index header becomes visible to readers.
static void databaseShmBarrier(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    if (file->wal != NULL && file->wal->length > 0) {
        file->statistics.barrierFlushes += 1;
        int rc = flushBuffer(file->wal);
        if (rc != SQLITE_OK) {
            fprintf(stderr, "sluice-walbuf: writing WAL frames failed (SQLite result %d) before the WAL index was "
                            "published; aborting so no reader sees frames that are not in the file\n", rc);
            abort();
        }
    }
    passShmBarrier(handle);
}

// The connection's owner syncs the database file itself later (see the file control's comment).
static int databaseSync(sqlite3_file *handle, int flags) {
    BufferedFile *file = (BufferedFile *)handle;
    if (file->deferringSyncs) {
        file->statistics.deferredDatabaseSyncs += 1;
        return SQLITE_OK;
    }
    return passSync(handle, flags);
}

static int databaseFileControl(sqlite3_file *handle, int op, void *argument) {
    BufferedFile *file = (BufferedFile *)handle;
    switch (op) {
    case CSQLITEPLUGINS_WAL_BUFFER_FCNTL_STATISTICS:
        *(CSQLitePluginsWALBufferStatistics *)argument = file->statistics;
        return SQLITE_OK;
    case CSQLITEPLUGINS_WAL_BUFFER_FCNTL_FAIL_WRITES:
        file->failingWrites = *(int *)argument;
        return SQLITE_OK;
    case CSQLITEPLUGINS_WAL_BUFFER_FCNTL_DEFER_DATABASE_SYNC:
        file->deferringSyncs = *(int *)argument != 0;
        return SQLITE_OK;
    default:
        return passFileControl(handle, op, argument);
    }
}

static const sqlite3_io_methods databaseMethods = {
    3, databaseClose, passRead, passWrite, passTruncate, databaseSync, passFileSize, passLock, passUnlock,
    passCheckReservedLock, databaseFileControl, passSectorSize, passDeviceCharacteristics,
    passShmMap, passShmLock, databaseShmBarrier, passShmUnmap, passFetch, passUnfetch,
};

static const sqlite3_io_methods walMethods = {
    3, walClose, walRead, walWrite, walTruncate, walSync, walFileSize, passLock, passUnlock,
    passCheckReservedLock, walFileControl, passSectorSize, passDeviceCharacteristics,
    passShmMap, passShmLock, passShmBarrier, passShmUnmap, walFetch, passUnfetch,
};

static const sqlite3_io_methods passMethods = {
    3, passClose, passRead, passWrite, passTruncate, passSync, passFileSize, passLock, passUnlock,
    passCheckReservedLock, passFileControl, passSectorSize, passDeviceCharacteristics,
    passShmMap, passShmLock, passShmBarrier, passShmUnmap, passFetch, passUnfetch,
};

static const sqlite3_io_methods passMethodsVersion1 = {
    1, passClose, passRead, passWrite, passTruncate, passSync, passFileSize, passLock, passUnlock,
    passCheckReservedLock, passFileControl, passSectorSize, passDeviceCharacteristics,
    NULL, NULL, NULL, NULL, NULL, NULL,
};

// MARK: - The VFS

static int bufferedOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *handle, int flags, int *outFlags) {
    (void)vfs;
    BufferedFile *file = (BufferedFile *)handle;
    memset(file, 0, sizeof *file);
    file->real = (sqlite3_file *)&file[1];
    file->commitPageOffset = -1;
    int rc = rootVFS->xOpen(rootVFS, name, file->real, flags, outFlags);
    if (rc != SQLITE_OK) {
        if (file->real->pMethods != NULL) file->real->pMethods->xClose(file->real);
        file->base.pMethods = NULL;
        return rc;
    }
    // The tables below forward every method of version 3. A file of an older table (none on Linux:
    // the unix VFS's POSIX locking is version 3) gets version 1's methods only, as SQLite would have
    // used no more of it; without shared memory it cannot be in WAL mode, so nothing is buffered.
    if (file->real->pMethods->iVersion < 3) {
        file->base.pMethods = &passMethodsVersion1;
        return SQLITE_OK;
    }
    if ((flags & SQLITE_OPEN_MAIN_DB) && name != NULL) {
        file->databaseName = name;
        pthread_mutex_lock(&registryLock);
        file->nextDatabase = openDatabases;
        openDatabases = file;
        pthread_mutex_unlock(&registryLock);
        file->base.pMethods = &databaseMethods;
    } else if ((flags & SQLITE_OPEN_WAL) && name != NULL) {
        // SQLite keeps a connection's database, journal and WAL names in one allocation, and
        // sqlite3_filename_database of the WAL's name returns the very pointer its main database
        // file was opened with: that pointer, not the text, pairs the two files of one connection.
        const char *databaseName = sqlite3_filename_database(name);
        BufferedFile *database = NULL;
        pthread_mutex_lock(&registryLock);
        for (BufferedFile *candidate = openDatabases; candidate != NULL; candidate = candidate->nextDatabase) {
            if (candidate->databaseName == databaseName) { database = candidate; break; }
        }
        pthread_mutex_unlock(&registryLock);
        if (database != NULL && database->wal == NULL) {
            file->database = database;
            database->wal = file;
            file->base.pMethods = &walMethods;
        } else {
            file->base.pMethods = &passMethods;  // unpaired: written through
        }
    } else {
        file->base.pMethods = &passMethods;
    }
    return SQLITE_OK;
}

static int bufferedDelete(sqlite3_vfs *vfs, const char *name, int syncDirectory) {
    (void)vfs;
    return rootVFS->xDelete(rootVFS, name, syncDirectory);
}
static int bufferedAccess(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
    (void)vfs;
    return rootVFS->xAccess(rootVFS, name, flags, result);
}
static int bufferedFullPathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return rootVFS->xFullPathname(rootVFS, name, size, out);
}
static void *bufferedDlOpen(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return rootVFS->xDlOpen(rootVFS, name);
}
static void bufferedDlError(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    rootVFS->xDlError(rootVFS, size, out);
}
static void (*bufferedDlSym(sqlite3_vfs *vfs, void *library, const char *symbol))(void) {
    (void)vfs;
    return rootVFS->xDlSym(rootVFS, library, symbol);
}
static void bufferedDlClose(sqlite3_vfs *vfs, void *library) {
    (void)vfs;
    rootVFS->xDlClose(rootVFS, library);
}
static int bufferedRandomness(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return rootVFS->xRandomness(rootVFS, size, out);
}
static int bufferedSleep(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return rootVFS->xSleep(rootVFS, microseconds);
}
static int bufferedCurrentTime(sqlite3_vfs *vfs, double *now) {
    (void)vfs;
    return rootVFS->xCurrentTime(rootVFS, now);
}
static int bufferedGetLastError(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return rootVFS->xGetLastError(rootVFS, size, out);
}
static int bufferedCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
    (void)vfs;
    return rootVFS->xCurrentTimeInt64(rootVFS, now);
}

static int registerResult = SQLITE_ERROR;
static pthread_once_t registerOnce = PTHREAD_ONCE_INIT;

static void registerVFS(void) {
    registerResult = sqlite3_initialize();
    if (registerResult != SQLITE_OK) return;
    rootVFS = sqlite3_vfs_find(NULL);
    if (rootVFS == NULL || rootVFS->iVersion < 2) { registerResult = SQLITE_ERROR; return; }
    bufferedVFS = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(BufferedFile) + rootVFS->szOsFile,
        .mxPathname = rootVFS->mxPathname,
        .zName = CSQLITEPLUGINS_WAL_BUFFER_VFS_NAME,
        .xOpen = bufferedOpen,
        .xDelete = bufferedDelete,
        .xAccess = bufferedAccess,
        .xFullPathname = bufferedFullPathname,
        .xDlOpen = bufferedDlOpen,
        .xDlError = bufferedDlError,
        .xDlSym = bufferedDlSym,
        .xDlClose = bufferedDlClose,
        .xRandomness = bufferedRandomness,
        .xSleep = bufferedSleep,
        .xCurrentTime = bufferedCurrentTime,
        .xGetLastError = bufferedGetLastError,
        .xCurrentTimeInt64 = bufferedCurrentTimeInt64,
    };
    registerResult = sqlite3_vfs_register(&bufferedVFS, 0);
}

int CSQLitePlugins_register_wal_buffer(void) {
    pthread_once(&registerOnce, registerVFS);
    return registerResult;
}


