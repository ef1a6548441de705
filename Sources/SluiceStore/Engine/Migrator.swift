import SluiceCore

/// Applies `Migration`s in order on the write connection.
enum Migrator {
    /// Brings `database` to the last version of `migrations` in one transaction; returns versions applied.
    /// Refuses a database whose recorded version is newer than the code knows. The write lock is taken only
    /// when a migration is pending, so opening a current database does not wait behind a running writer.
    /// - Parameter policy: `.requireCurrent` throws `.migration` instead of applying anything.
    @discardableResult
    static func migrate(
        _ database: Database, migrations: [Migration], appliedAt: Int64, policy: SchemaMigration = .apply
    ) throws(StoreError) -> [Int] {
        try validate(migrations)
        let recorded = try recordedVersions(database)
        let pending = try pendingMigrations(recorded: recorded, migrations: migrations)
        guard !pending.isEmpty else { return [] }
        guard policy == .apply else {
            let known = migrations.last?.version ?? 0
            throw StoreError(.migration, """
                database schema version \(recorded.keys.max() ?? 0) is older than this build's (\(known)): \
                run `sluice migrate` or restart the service first; this command does not change the schema
                """)
        }
        try database.execute("BEGIN IMMEDIATE")
        do throws(StoreError) {
            let applied = try apply(database, migrations: migrations, appliedAt: appliedAt)
            try database.execute("COMMIT")
            return applied
        } catch {
            if !database.isAutocommit { try? database.execute("ROLLBACK") }
            throw error
        }
    }

    /// The same, inside a transaction the caller owns.
    static func apply(_ database: Database, migrations: [Migration], appliedAt: Int64) throws(StoreError) -> [Int] {
        try database.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at INTEGER NOT NULL
            )
            """)
        let recorded = try recordedVersions(database)
        let pending = try pendingMigrations(recorded: recorded, migrations: migrations)
        var applied: [Int] = []
        for migration in pending {
            do throws(StoreError) {
                try database.execute(migration.sql)
            } catch {
                throw StoreError(.migration, "migration \(migration.version) (\(migration.name)) failed: \(error.message)", underlying: error)
            }
            try database.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)") {
                $0.bind(migration.version, at: 1)
                $0.bind(migration.name, at: 2)
                $0.bind(appliedAt, at: 3)
            }
            applied.append(migration.version)
        }
        return applied
    }

    /// Versions and names recorded in `schema_migrations`; empty when the table does not exist yet.
    private static func recordedVersions(_ database: Database) throws(StoreError) -> [Int: String] {
        let exists = try database.statement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
        defer { exists.reset() }
        guard try exists.step() else { return [:] }
        exists.reset()
        var recorded: [Int: String] = [:]
        let select = try database.statement("SELECT version, name FROM schema_migrations")
        defer { select.reset() }
        while try select.step() { recorded[select.int(at: 0)] = select.string(at: 1) }
        return recorded
    }

    /// The migrations not yet recorded, in order. Throws when the database is newer than `migrations` or a
    /// recorded version has another name (a different build's schema).
    private static func pendingMigrations(recorded: [Int: String], migrations: [Migration]) throws(StoreError) -> [Migration] {
        let known = migrations.last?.version ?? 0
        if let newest = recorded.keys.max(), newest > known {
            throw StoreError(.migration, "database schema version \(newest) is newer than this build knows (\(known)); upgrade Sluice")
        }
        var pending: [Migration] = []
        for migration in migrations {
            guard let name = recorded[migration.version] else {
                pending.append(migration)
                continue
            }
            guard name == migration.name else {
                throw StoreError(.migration, "schema version \(migration.version) was applied as '\(name)', expected '\(migration.name)'")
            }
        }
        return pending
    }

    private static func validate(_ migrations: [Migration]) throws(StoreError) {
        var previous = 0
        for migration in migrations {
            guard migration.version > previous else {
                throw StoreError(.migration, "migration versions must increase: \(migration.version) after \(previous)")
            }
            previous = migration.version
        }
    }
}
