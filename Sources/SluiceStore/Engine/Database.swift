import CSQLite
import CSQLitePlugins
import Foundation
import SluiceCore

/// One SQLite connection with its prepared-statement cache.
///
/// Not thread-safe: it is owned by exactly one thread at a time (the writer thread, or whoever checked it
/// out of the reader pool); that hand-over is the invariant behind `@unchecked Sendable`.
final class Database: @unchecked Sendable {
    private let handle: OpaquePointer
    private var cache: [String: Statement] = [:]
    /// Statement sets of hot paths, prepared once per connection (`statements(_:_:)`).
    private var statementSets: [ObjectIdentifier: AnyObject] = [:]
    /// Frames in the WAL after the last commit of this connection, once `trackWALFrames` installed the hook.
    private(set) var walFrames = 0
    /// Per-transaction row buffers of this connection (`TransactionBuffer`), driven by the writer.
    var transactionBuffers: [any TransactionBuffer] = []
    let path: String

    /// Opens `path`; `readOnly` connections never create the file.
    init(path: String, readOnly: Bool, busyTimeoutMilliseconds: Int) throws(StoreError) {
        Self.configureLibrary
        var pointer: OpaquePointer?
        // NOMUTEX: one owner at a time (see type doc), so SQLite's own connection mutex is dead weight.
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let rc = sqlite3_open_v2(path, &pointer, flags, Self.walBufferVFS)
        guard rc == SQLITE_OK, let pointer else {
            let error = SQLiteResult.error(rc, connection: pointer, context: "open database")
            sqlite3_close_v2(pointer)
            throw error
        }
        handle = pointer
        self.path = path
        sqlite3_extended_result_codes(pointer, 1)
        sqlite3_busy_timeout(pointer, Int32(clamping: busyTimeoutMilliseconds))
    }

    /// Process-wide SQLite settings, applied once before the first connection (every connection of the
    /// process is opened here, so nothing else can be inside SQLite while `sqlite3_config` runs).
    /// Memory statistics off: with them every sqlite3_malloc/free takes a global mutex (~8 % of the
    /// writer thread's CPU during an SNS replay); nothing reads them. Fails harmlessly (SQLITE_MISUSE)
    /// if SQLite was already initialised.
    private static let configureLibrary: Void = {
        _ = CSQLite_config_memstatus(0)
        // See Sources/CSQLitePlugins/page_cache.c. If SQLite was initialised already it stays with its
        // own page cache, which is only slower.
        _ = CSQLitePlugins_install_page_cache()
    }()

    /// Whether SQLite opened (or fell back to opening) the main database read-only, e.g. because its
    /// file system was mounted read-only when the connection was made.
    var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    deinit {
        transactionBuffers.removeAll()
        statementSets.removeAll()  // finalize statements before the connection
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Throws the mapped error unless `rc` is SQLITE_OK/ROW/DONE.
    @inline(__always)
    func check(_ rc: Int32, _ context: @autoclosure () -> String) throws(StoreError) {
        if rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE { return }
        throw SQLiteResult.error(rc, connection: handle, context: context())
    }

    /// Runs one or more statements with no parameters and no results (DDL, pragmas, BEGIN/COMMIT).
    func execute(_ sql: String) throws(StoreError) {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        try check(rc, "execute \(sql.prefix(60))")
    }

    /// The cached prepared statement for `sql`, reset and with cleared bindings (also after a caller that
    /// left it mid-step on an error: binding to a statement not reset is refused, and it would run with the
    /// old values).
    func statement(_ sql: String) throws(StoreError) -> Statement {
        if let cached = cache[sql] {
            cached.reset()
            return cached
        }
        let statement = try prepare(sql)
        cache[sql] = statement
        return statement
    }

    /// A new prepared statement for `sql`, owned by the caller (it must not outlive this connection).
    func prepare(_ sql: String) throws(StoreError) -> Statement {
        var pointer: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard rc == SQLITE_OK, let pointer else {
            throw SQLiteResult.error(rc, connection: handle, context: "prepare \(sql.prefix(60))")
        }
        return Statement(pointer, database: self)
    }

    /// The `T` made by `make` for this connection, made on first use and then kept: a hot path holds its
    /// statements in one object instead of looking each up by its SQL text (hashing it) on every call.
    func statements<T: AnyObject>(_ type: T.Type, _ make: (Database) throws(StoreError) -> T) throws(StoreError) -> T {
        let key = ObjectIdentifier(type)
        if let set = statementSets[key] { return unsafeDowncast(set, to: T.self) }
        let set = try make(self)
        statementSets[key] = set
        return set
    }

    /// Prepares (cached), binds with `bind`, and steps `sql` to completion; returns rows changed.
    @discardableResult
    func run(_ sql: String, _ bind: (Statement) -> Void = { _ in }) throws(StoreError) -> Int {
        let statement = try self.statement(sql)
        defer { statement.reset() }
        bind(statement)
        while try statement.step() {}
        return changes
    }

    /// Rows changed by the last INSERT/UPDATE/DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// False while a transaction is open; SQLite may roll one back by itself after FULL/IOERR/BUSY.
    var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// Scoped access to the raw handle for the few C calls outside this file.
    func withHandle<T>(_ body: (OpaquePointer) -> T) -> T { body(handle) }

    /// Runs a checkpoint of the main database (TRUNCATE: also empties the WAL, else RESTART);
    /// throws `.busy` unless it copied every frame.
    func checkpoint(truncate: Bool) throws(StoreError) {
        var log: Int32 = 0
        var copied: Int32 = 0
        let mode = truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_RESTART
        try check(sqlite3_wal_checkpoint_v2(handle, "main", mode, &log, &copied), "checkpoint")
        guard log <= 0 || copied == log else { throw StoreError(.busy, "checkpoint copied \(copied) of \(log) frames") }
    }

    /// Replaces SQLite's automatic checkpoint (it shares the WAL hook) by a count of the WAL's frames after
    /// each commit (`walFrames`); the owner then checkpoints when it suits it (`checkpointPassive`).
    func disableAutocheckpoint() {
        // The hook is owned by the connection, which this object owns: the unretained context outlives it.
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_wal_hook(handle, { context, _, _, frames in
            guard let context else { return SQLITE_OK }
            Unmanaged<Database>.fromOpaque(context).takeUnretainedValue().walFrames = Int(frames)
            return SQLITE_OK
        }, context)
    }

    /// A PASSIVE checkpoint: copies what no reader still needs and syncs the database file, never waiting
    /// for a lock. Returns the frames in the WAL and how many of them are now in the database file.
    @discardableResult
    func checkpointPassive() throws(StoreError) -> (log: Int, copied: Int) {
        var log: Int32 = 0
        var copied: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(handle, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied)
        if rc == SQLITE_BUSY { return (Int(log), Int(copied)) }
        try check(rc, "checkpoint")
        return (Int(log), Int(copied))
    }

    /// A PASSIVE checkpoint that leaves the database file's sync to the caller, for one that syncs it before
    /// the WAL can start over (`DatabaseSyncer`). SQLite still syncs the WAL (`synchronous = NORMAL`), under
    /// the checkpoint's lock, after it chose the frames to copy and before the first copy: so every frame
    /// copied is durable, also frames another connection or process committed that the writer's own
    /// `WALSyncer` never synced. Only the database file's sync after the copy is skipped (by the WAL buffer
    /// VFS: `deferDatabaseSyncs`); a connection without that VFS checkpoints with both syncs.
    @discardableResult
    func checkpointPassiveDeferringDatabaseSync() throws(StoreError) -> (log: Int, copied: Int) {
        guard deferDatabaseSyncs(true) else { return try checkpointPassive() }
        defer { _ = deferDatabaseSyncs(false) }
        return try checkpointPassive()
    }

    /// Syncs the main database file through SQLite's own descriptor, as a checkpoint does (`xSync`). A
    /// second descriptor of ours would be unsafe: closing it drops every POSIX lock the process holds on
    /// the file, SQLite's included.
    func syncDatabaseFile() throws(StoreError) {
        var pointer: UnsafeMutableRawPointer?
        try check(sqlite3_file_control(handle, "main", SQLITE_FCNTL_FILE_POINTER, &pointer), "find the database file")
        let file = pointer?.assumingMemoryBound(to: sqlite3_file.self)
        guard let file, let methods = file.pointee.pMethods, let sync = methods.pointee.xSync else {
            throw StoreError(.io, "cannot sync the database file: SQLite has not opened it")
        }
        let rc = sync(file, SQLITE_SYNC_NORMAL)
        guard rc == SQLITE_OK else {
            let code = errno
            throw StoreError(.io, "cannot sync the database file: \(String(cString: strerror(code))) (errno \(code), SQLite \(rc))")
        }
    }

    /// From now on, closing this connection leaves the WAL as it is instead of checkpointing it into the
    /// database file and deleting it (the WAL must stay the durable copy: see `DatabaseSyncer`).
    func keepWALOnClose() {
        _ = CSQLite_db_config_no_checkpoint_on_close(handle, 1)
    }

    /// Values of a one-column query, as text.
    func strings(_ sql: String) throws(StoreError) -> [String] {
        let statement = try self.statement(sql)
        defer { statement.reset() }
        var result: [String] = []
        while try statement.step() { result.append(statement.string(at: 0)) }
        return result
    }
}
