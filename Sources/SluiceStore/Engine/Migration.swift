import SluiceCore

/// One schema step, applied once and recorded in `schema_migrations`.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    /// One or more statements, run inside the migration transaction.
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}
