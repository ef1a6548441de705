import Foundation
import Logging
import SluiceCore

/// The SQLite store: one writer thread with group commit, a pool of read-only connections, WAL.
///
/// Conforms to every store protocol of SluiceCore. Open one per database file per process.
public final class SQLiteStore: Sendable {
    public let configuration: SQLiteStoreConfiguration
    let writer: Writer
    let readers: ReaderPool
    let migrations: [Migration]
    let staging = Staging()
    private let logger: Logger
    /// Held shared while the store has the file open, so `sluice restore` does not swap it meanwhile
    /// (nil where the lock file cannot be made: see `DatabaseLock.shared`).
    private let lock: DatabaseLock?
    /// How long opening waits for a restore that is swapping the files.
    static let restorePatience: Duration = .seconds(10)

    /// Opens (creating if needed) the database at `configuration.path` and applies pending migrations.
    /// `configuration.path` is kept with its symlinks resolved (see `DatabasePath.resolved`).
    /// - Throws: `.migration` when the file's schema is newer than this build, `.unavailable` when it
    ///   cannot be opened (also: a restore kept it locked for `restorePatience`; a non-empty `-wal` beside
    ///   a missing or empty database file), `.corrupt` when it is not a database.
    /// Logs at debug level only; without a `logger` it stays silent.
    public convenience init(
        configuration: SQLiteStoreConfiguration,
        logger: Logger = SQLiteStore.silentLogger
    ) throws(StoreError) {
        try self.init(configuration: configuration, logger: logger, migrations: Schema.migrations)
    }

    /// A logger that drops everything: the default, so the library is silent unless given one.
    public static let silentLogger = Logger(label: "sluice.store", factory: { _ in SwiftLogNoOpLogHandler() })

    init(configuration given: SQLiteStoreConfiguration, logger: Logger = SQLiteStore.silentLogger, migrations: [Migration]) throws(StoreError) {
        try Self.createDirectory(for: given.path)
        // One name for the file from here on: SQLite follows a symlink and keeps its WAL beside the target.
        var resolved = given
        resolved.path = DatabasePath.resolved(given.path)
        let configuration = resolved
        self.configuration = configuration
        self.logger = logger
        self.migrations = migrations
        lock = try DatabaseLock.shared(for: configuration.path, patience: Self.restorePatience)
        if lock == nil { logger.debug("store.lock_unavailable", metadata: ["store.path": "\(DatabaseLock.path(for: configuration.path))"]) }

        let database = try Self.openWriter(configuration)
        let applied = try Migrator.migrate(
            database, migrations: migrations, appliedAt: Statement.milliseconds(Date()), policy: configuration.migration)
        if !applied.isEmpty {
            logger.debug("store.migrated", metadata: ["store.versions": "\(applied)"])
        }

        var connections: [Database] = []
        for _ in 0..<max(1, configuration.readerCount) {
            connections.append(try Self.openReader(configuration))
        }
        let readers = ReaderPool(connections)
        self.readers = readers
        // Once the file was read-only (e.g. its file system), every connection is renewed together.
        writer = Writer(
            database: database, logger: logger, checkpointFrames: configuration.checkpointPages,
            openSpare: { () throws(StoreError) in try Self.openReader(configuration) },
            reopen: { () throws(StoreError) in
                try readers.renew(count: max(1, configuration.readerCount), patience: .seconds(2)) { () throws(StoreError) in
                    try Self.openReader(configuration)
                }
                return try Self.openWriter(configuration)
            })
    }

    private static func openReader(_ configuration: SQLiteStoreConfiguration) throws(StoreError) -> Database {
        let reader = try Database(path: configuration.path, readOnly: true, busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds)
        try configureCommon(reader, configuration)
        try reader.execute("PRAGMA query_only = ON")
        return reader
    }

    /// The write connection: WAL, synced commits, the common settings and the optional size cap.
    private static func openWriter(_ configuration: SQLiteStoreConfiguration) throws(StoreError) -> Database {
        // SQLite would delete such a WAL, and every commit in it, while creating an empty database.
        if let message = DatabasePath.walWithoutDatabase(configuration.path) { throw StoreError(.unavailable, message) }
        let database = try Database(path: configuration.path, readOnly: false, busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds)
        // Only a file without pages takes it (before its first table); an existing file keeps its size.
        try database.execute("PRAGMA page_size = \(configuration.pageSize)")
        let mode = try database.strings("PRAGMA journal_mode = WAL")
        guard mode.first?.lowercased() == "wal" else {
            throw StoreError(.unavailable, "cannot enable WAL journal mode (got \(mode.first ?? "nothing")); \(configuration.path) needs a real file")
        }
        // NORMAL: a COMMIT does not sync; the writer's sync thread (WALSyncer) fdatasyncs the WAL after
        // each group commit and only then resumes its callers, so a 2xx after ingest still means the event
        // survives power loss, while the next batch is applied during that sync. Checkpoints still sync.
        try database.execute("PRAGMA synchronous = NORMAL")
        // Truncate the WAL back to 64 MiB after checkpoints so one burst does not keep a huge file.
        _ = try database.strings("PRAGMA journal_size_limit = \(64 << 20)")
        try configureCommon(database, configuration)
        // The writer checkpoints between transactions (`Writer.checkpointIfDue`), not SQLite inside COMMIT.
        if configuration.checkpointPages > 0 { database.disableAutocheckpoint() }
        if let maxPageCount = configuration.maxPageCount {
            _ = try database.strings("PRAGMA max_page_count = \(max(1, maxPageCount))")
        }
        return database
    }

    deinit {
        writer.shutdown()
        readers.close()
    }

    /// Finishes queued writes, then closes every connection. Later calls fail with `.unavailable`.
    public func close() {
        writer.close()
        readers.close()
        lock?.release()
    }

    /// Group-commit counters of the writer (commits vs jobs show the batching).
    public var writerStatistics: WriterStatistics { writer.statistics }
    public var groupCommitStatistics: WriterStatistics? { writer.statistics }

    /// Applies migrations not yet recorded (already done at open; idempotent). Returns versions applied.
    @discardableResult
    public func migrate() async throws(StoreError) -> [Int] {
        let migrations = self.migrations
        return try await writer.submit { database throws(StoreError) in
            try Migrator.apply(database, migrations: migrations, appliedAt: Statement.milliseconds(Date()))
        }
    }

    /// The highest schema version recorded in the file.
    public func schemaVersion() async throws(StoreError) -> Int {
        try await readers.read { database throws(StoreError) in
            let rows = try database.strings("SELECT coalesce(max(version), 0) FROM schema_migrations")
            return Int(rows.first ?? "0") ?? 0
        }
    }

    /// Problems found by `PRAGMA integrity_check` (or `quick_check`); empty when the file is healthy.
    public func integrityCheck(quick: Bool = false) async throws(StoreError) -> [String] {
        try await readers.read { database throws(StoreError) in
            let rows = try database.strings(quick ? "PRAGMA quick_check" : "PRAGMA integrity_check")
            return rows == ["ok"] ? [] : rows
        }
    }

    /// Cheap readiness probe: the path still names the file the store opened (`.fileReplaced` after an
    /// `rm` or `mv` of it), the file is writable, and a one-row write commits (and syncs) through the writer.
    public func checkWritable() async throws(StoreError) {
        if let gone = writer.checkDatabaseFile() { throw gone }
        let path = configuration.path
        if FileManager.default.fileExists(atPath: path), !FileManager.default.isWritableFile(atPath: path) {
            throw StoreError(.readOnly, "database file is not writable")
        }
        try await writer.submit { database throws(StoreError) in
            try database.run("INSERT INTO write_probe (id, probed_at) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at") {
                $0.bind(Date(), at: 1)
            }
        }
    }

    private static func configureCommon(_ database: Database, _ configuration: SQLiteStoreConfiguration) throws(StoreError) {
        try database.execute("PRAGMA foreign_keys = ON")
        try database.execute("PRAGMA cache_size = -\(max(64, configuration.cacheSizeKiB))")
        try database.execute("PRAGMA temp_store = MEMORY")
        if configuration.mmapSize > 0 {
            _ = try database.strings("PRAGMA mmap_size = \(configuration.mmapSize)")
        }
    }

    /// Creates the database's folder and any missing parents, each made durable in its parent (a new
    /// folder's name is an entry of its parent's, which only a sync of the parent makes survive power loss).
    private static func createDirectory(for path: String) throws(StoreError) {
        do throws(StoreError) {
            try FileSync.createDirectories(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        } catch {
            throw StoreError(.unavailable, "cannot create the database directory: \(error.message)")
        }
    }
}
