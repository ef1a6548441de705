import SluiceCore

/// What a database file on its own says about itself: `PRAGMA integrity_check` and the schema version in
/// its `schema_migrations`. The backup checks its copy with it, the restore the backup it puts in place.
struct SQLiteFileCheck {
    /// What `integrity_check` reported, empty when the file is healthy; nil when it was not run.
    var problems: [String]?
    var schemaVersion: Int

    /// Opens `path` read-only; throws when it is no database or has no `schema_migrations` table.
    static func inspect(_ path: String, integrity: Bool, interruption: BackupInterruption? = nil) throws(StoreError) -> SQLiteFileCheck {
        let database = try Database(path: path, readOnly: true, busyTimeoutMilliseconds: 1000)
        let check = { () throws(StoreError) -> [String] in try database.strings("PRAGMA integrity_check") }
        var rows: [String]?
        if integrity {
            if let interruption { rows = try interruption.running(on: database, check) } else { rows = try check() }
        }
        let version = try database.strings("SELECT coalesce(max(version), 0) FROM schema_migrations").first
        return SQLiteFileCheck(problems: rows.map { $0 == ["ok"] ? [] : $0 }, schemaVersion: Int(version ?? "0") ?? 0)
    }

    /// The first few problems, for a message.
    var problemSummary: String { (problems ?? []).prefix(5).joined(separator: "; ") }
}
