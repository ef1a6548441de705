/// One PostgreSQL schema step, applied once and recorded in `schema_migrations`.
public struct PGMigration: Sendable {
    public var version: Int
    public var name: String
    /// Fixed SQL (one or more statements) run inside the migration transaction.
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}
