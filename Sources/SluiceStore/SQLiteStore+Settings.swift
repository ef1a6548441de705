import Foundation
import SluiceCore

extension SQLiteStore: SettingsStore {
    public func setting(_ key: String) async throws(StoreError) -> String? {
        try await readers.read { database throws(StoreError) in
            let statement = try database.statement("SELECT value FROM settings WHERE key = ?1")
            defer { statement.reset() }
            statement.bind(key, at: 1)
            return try statement.step() ? statement.string(at: 0) : nil
        }
    }

    public func setSetting(_ key: String, _ value: String?) async throws(StoreError) {
        try Self.validateSetting(key, value)
        try await writer.submit { database throws(StoreError) in try Self.write(key, value, in: database) }
    }

    /// On the writer, inside its write transaction: SQLite's write lock keeps other processes (the CLI)
    /// out between the read and the write.
    @discardableResult
    public func updateSetting(
        _ key: String, _ transform: @escaping @Sendable (String?) throws(StoreError) -> String?
    ) async throws(StoreError) -> String? {
        try await writer.submit { database throws(StoreError) -> String? in
            let statement = try database.statement("SELECT value FROM settings WHERE key = ?1")
            let current: String?
            do {
                defer { statement.reset() }
                statement.bind(key, at: 1)
                current = try statement.step() ? statement.string(at: 0) : nil
            }
            let value = try transform(current)
            try Self.validateSetting(key, value)
            try Self.write(key, value, in: database)
            return value
        }
    }

    private static func write(_ key: String, _ value: String?, in database: Database) throws(StoreError) {
        if let value {
            try database.run("""
                INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """) {
                $0.bind(key, at: 1)
                $0.bind(value, at: 2)
                $0.bind(Date(), at: 3)
            }
        } else {
            try database.run("DELETE FROM settings WHERE key = ?1") { $0.bind(key, at: 1) }
        }
    }
}
