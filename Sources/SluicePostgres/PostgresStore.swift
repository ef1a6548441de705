import Foundation
import Logging
import SluiceCore
import Synchronization

/// The PostgreSQL store: several Sluice instances share one state through it.
///
/// Conforms to every store protocol of SluiceCore with the SQLite store's semantics. Every libpq call
/// runs on one of the pool's own threads. A 2xx after a write means the PostgreSQL commit returned.
public final class PostgresStore: Sendable {
    public let configuration: PostgresStoreConfiguration
    let pool: PGPool
    /// One connection that holds session advisory locks for leadership.
    let leaderPool: PGPool
    let leadership = Mutex<[String: Int]>([:])
    let migrations: [PGMigration]

    /// Connects, applies pending migrations (once across instances, under an advisory lock) and starts
    /// the pool. Blocks the calling thread while connecting: call it at startup, not on an event loop.
    /// - Throws: `.unavailable` when the server cannot be reached, `.migration` when its schema is newer.
    public convenience init(configuration: PostgresStoreConfiguration, logger: Logger = PostgresStore.silentLogger) throws(StoreError) {
        try self.init(configuration: configuration, logger: logger, migrations: PGSchema.migrations)
    }

    /// A logger that drops everything: the default, so the library is silent unless given one.
    public static let silentLogger = Logger(label: "sluice.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    init(configuration: PostgresStoreConfiguration, logger: Logger, migrations: [PGMigration]) throws(StoreError) {
        self.configuration = configuration
        self.migrations = migrations
        let connect: @Sendable () throws(StoreError) -> PGConnection = {
            try PGConnection(
                url: configuration.url, connectTimeoutSeconds: configuration.connectTimeoutSeconds,
                statementTimeoutMilliseconds: configuration.statementTimeoutMilliseconds)
        }
        let first = try connect()
        Self.logTransport(
            isRemote: first.isRemote, defaultedSSLMode: first.defaultedSSLMode, isEncrypted: first.isEncrypted,
            server: PostgresStoreConfiguration.redacted(configuration.url), logger: logger)
        let applied = try PGMigrator.migrate(first, migrations: migrations, policy: configuration.migration)
        if !applied.isEmpty { logger.debug("store.migrated", metadata: ["store.versions": "\(applied)"]) }
        // A request may wait for a connection as long as one statement may run, then it is refused
        // (without a statement timeout, as long as it takes).
        let timeout = configuration.statementTimeoutMilliseconds
        let maxWait = timeout > 0 ? timeout : nil
        pool = PGPool(size: configuration.poolSize, first: first, maxWaitMilliseconds: maxWait, logger: logger, connect: connect)
        // Leadership checks are short and few; they wait their turn.
        leaderPool = PGPool(size: 1, first: nil, maxWaitMilliseconds: nil, logger: logger, connect: connect)
    }

    /// Says once, at open, how the first connection to a server over the network is protected: the `sslmode`
    /// chosen for a URL without one, and a warning when the session is not encrypted.
    static func logTransport(isRemote: Bool, defaultedSSLMode: String?, isEncrypted: Bool, server: String, logger: Logger) {
        guard isRemote else { return }
        let metadata: Logger.Metadata = ["store.server": "\(server)"]
        if let mode = defaultedSSLMode {
            logger.notice("""
                database.url names no sslmode: using sslmode=\(mode) (encrypted, server identity not checked); \
                add sslmode=verify-full&sslrootcert=<CA file> to verify the server
                """, metadata: metadata)
        }
        if !isEncrypted {
            logger.warning(
                "the PostgreSQL connection is not encrypted (sslmode in database.url); use sslmode=verify-full", metadata: metadata)
        }
    }

    deinit {
        // Not close(): the last reference may drop on a pool thread, which must not wait for itself.
        pool.shutdown()
        leaderPool.shutdown()
    }

    /// Finishes queued work, then closes every connection. Later calls fail with `.unavailable`.
    public func close() {
        pool.close()
        leaderPool.close()
    }

    /// Runs `body` in a transaction on a pool thread (retried on serialization failure or deadlock).
    /// - Parameter patient: see `PGPool.run`.
    func write<T: Sendable>(
        patient: Bool = false, _ body: @escaping @Sendable (PGConnection) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        try await pool.run(patient: patient) { connection throws(StoreError) in
            try connection.transaction { () throws(StoreError) -> T in try body(connection) }
        }
    }

    /// Runs `body` outside an explicit transaction (each statement commits alone).
    func read<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws(StoreError) -> T) async throws(StoreError) -> T {
        try await pool.run(body)
    }

    /// Applies migrations not yet recorded (already done at open; idempotent). Returns versions applied.
    @discardableResult
    public func migrate() async throws(StoreError) -> [Int] {
        let migrations = self.migrations
        return try await pool.run { connection throws(StoreError) in try PGMigrator.migrate(connection, migrations: migrations) }
    }

    /// The highest schema version recorded in the database.
    public func schemaVersion() async throws(StoreError) -> Int {
        try await read { connection throws(StoreError) in
            try connection.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").int(0, 0)
        }
    }

    /// PostgreSQL checks its own pages; there is no file-level check to run here. Always empty.
    public func integrityCheck(quick: Bool = false) async throws(StoreError) -> [String] {
        _ = try await schemaVersion()
        return []
    }

    /// Readiness probe: a one-row write commits on the server.
    public func checkWritable() async throws(StoreError) {
        try await write { connection throws(StoreError) in
            _ = try connection.execute("""
                INSERT INTO write_probe (id, probed_at) VALUES (1, $1)
                ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at
                """, [.date(Date())])
        }
    }

    /// Takes a transaction-scoped advisory lock per address (sorted, so two transactions never wait on
    /// each other in a cycle): read-decide-write on one address is serialised across instances.
    static func lockAddresses(_ addresses: some Sequence<String>, in connection: PGConnection) throws(StoreError) {
        for address in Set(addresses).sorted() where !address.isEmpty {
            try connection.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", [.text(address)])
        }
    }
}

extension PostgresStore: StoreAdministration {
    /// Host, port and database from the URL (no user, no password).
    public var databaseIdentity: String { PostgresStoreConfiguration.redacted(configuration.url) }
}
