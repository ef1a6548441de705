import SluiceCore

/// Applies `Migration`s in order on the write connection.
enum Migrator {
    /// Brings `database` to the last version of `migrations` in one transaction; returns versions applied.
    /// Refuses a database whose recorded version is newer than the code knows.
    @discardableResult
    static func migrate(_ database: Database, migrations: [Migration], appliedAt: Int64) throws(StoreError) -> [Int] {
        try validate(migrations)
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
        var recorded: [Int: String] = [:]
        let select = try database.statement("SELECT version, name FROM schema_migrations")
        defer { select.reset() }
        while try select.step() { recorded[select.int(at: 0)] = select.string(at: 1) }
        select.reset()

        let known = migrations.last?.version ?? 0
        if let newest = recorded.keys.max(), newest > known {
            throw StoreError(.migration, "database schema version \(newest) is newer than this build knows (\(known)); upgrade Sluice")
        }
        var applied: [Int] = []
        for migration in migrations {
            if let name = recorded[migration.version] {
                guard name == migration.name else {
                    throw StoreError(.migration, "schema version \(migration.version) was applied as '\(name)', expected '\(migration.name)'")
                }
                continue
            }
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
