import Foundation
import SluiceCore

extension PostgresStore: SettingsStore {
    public func setting(_ key: String) async throws(StoreError) -> String? {
        try await read { connection throws(StoreError) in
            let result = try connection.execute("SELECT value FROM settings WHERE key = $1", [.text(key)])
            return result.rowCount > 0 ? result.string(0, 0) : nil
        }
    }

    public func setSetting(_ key: String, _ value: String?) async throws(StoreError) {
        try Self.validateSetting(key, value)
        try await write { connection throws(StoreError) in try Self.write(key, value, in: connection) }
    }

    /// In one transaction under a transaction-level advisory lock on the key, so instances (and a row not
    /// yet there, which `FOR UPDATE` could not lock) take turns.
    @discardableResult
    public func updateSetting(
        _ key: String, _ transform: @escaping @Sendable (String?) throws(StoreError) -> String?
    ) async throws(StoreError) -> String? {
        try await write { connection throws(StoreError) -> String? in
            _ = try connection.execute("SELECT pg_advisory_xact_lock(hashtextextended('sluice.setting:' || $1, 0))", [.text(key)])
            let result = try connection.execute("SELECT value FROM settings WHERE key = $1", [.text(key)])
            let value = try transform(result.rowCount > 0 ? result.string(0, 0) : nil)
            try Self.validateSetting(key, value)
            try Self.write(key, value, in: connection)
            return value
        }
    }

    private static func write(_ key: String, _ value: String?, in connection: PGConnection) throws(StoreError) {
        if let value {
            _ = try connection.execute("""
                INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """, [.text(key), .text(value), .date(Date())])
        } else {
            _ = try connection.execute("DELETE FROM settings WHERE key = $1", [.text(key)])
        }
    }
}
