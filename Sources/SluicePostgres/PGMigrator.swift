import Foundation
import SluiceCore

/// Applies pending migrations under a session advisory lock, so instances starting together apply each
/// version exactly once: the first holds the lock and migrates, the others wait and then find nothing to do.
enum PGMigrator {
    /// Advisory lock key for migrations ("sluice" + 1 as a number; any constant shared by all instances).
    static let lockKey: Int64 = 0x736C_7569_6365_0001

    /// Applies the migrations not yet recorded; returns their versions. The advisory lock is taken only when
    /// one is pending, so opening a current database never waits behind another instance's migration.
    /// - Parameter policy: `.requireCurrent` throws `.migration` instead of applying anything.
    static func migrate(
        _ connection: PGConnection, migrations: [PGMigration], policy: SchemaMigration = .apply
    ) throws(StoreError) -> [Int] {
        let applied = try recordedVersions(connection)
        guard try !pending(applied: applied, migrations: migrations).isEmpty else { return [] }
        guard policy == .apply else {
            let newest = migrations.map(\.version).max() ?? 0
            throw StoreError(.migration, """
                database schema version \(applied.max() ?? 0) is older than this build's (\(newest)): \
                run `sluice migrate` or restart the service first; this command does not change the schema
                """)
        }
        // No statement timeout while migrating: waiting for another instance's migration, or building an
        // index on a large table, takes longer than any request may; the pool's own timeout comes back after.
        return try connection.withSessionSetting("statement_timeout", "0") { () throws(StoreError) in
            try connection.execute("SELECT pg_advisory_lock($1)", [.text(String(lockKey))])
            defer { _ = try? connection.execute("SELECT pg_advisory_unlock($1)", [.text(String(lockKey))]) }
            // Holding the migration lock, a schema change waits at most this long for a table lock: `ALTER
            // TABLE` behind a long transaction (a dump, an import) would otherwise queue every later reader of
            // that table behind it. The instance then exits, and starting it again retries.
            return try connection.withSessionSetting("lock_timeout", "10s") { () throws(StoreError) in
                try applyPending(connection, migrations: migrations)
            }
        }
    }

    private static func applyPending(_ connection: PGConnection, migrations: [PGMigration]) throws(StoreError) -> [Int] {
        try connection.executeScript("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            )
            """)
        // Read again under the lock: another instance may have migrated while this one waited.
        var done: [Int] = []
        for migration in try pending(applied: try recordedVersions(connection), migrations: migrations) {
            do throws(StoreError) {
                try connection.transaction { () throws(StoreError) in
                    try connection.executeScript(migration.sql)
                    try connection.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                        [.int(migration.version), .text(migration.name), .date(Date())])
                }
            } catch {
                throw StoreError(.migration, "migration \(migration.version) (\(migration.name)) failed: \(error.message)", underlying: error)
            }
            done.append(migration.version)
        }
        return done
    }

    /// The migrations not yet applied, in order. Throws when the database is newer than this build.
    private static func pending(applied: Set<Int>, migrations: [PGMigration]) throws(StoreError) -> [PGMigration] {
        let newest = migrations.map(\.version).max() ?? 0
        if let top = applied.max(), top > newest {
            throw StoreError(.migration, "database schema version \(top) is newer than this build (\(newest)); upgrade Sluice")
        }
        return migrations.sorted { $0.version < $1.version }.filter { !applied.contains($0.version) }
    }

    /// The versions recorded in `schema_migrations`; empty when the table does not exist yet.
    private static func recordedVersions(_ connection: PGConnection) throws(StoreError) -> Set<Int> {
        guard try connection.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").bool(0, 0) else { return [] }
        let rows = try connection.execute("SELECT version FROM schema_migrations")
        return Set((0..<rows.rowCount).map { rows.int($0, 0) })
    }
}

private extension PGConnection {
    /// Runs `body` with a session setting changed, and puts the previous value back on every path.
    func withSessionSetting<T>(_ name: String, _ value: String, _ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        let previous = try execute("SELECT current_setting($1)", [.text(name)]).string(0, 0)
        try execute("SELECT set_config($1, $2, false)", [.text(name), .text(value)])
        defer { _ = try? execute("SELECT set_config($1, $2, false)", [.text(name), .text(previous)]) }
        return try body()
    }
}
