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
        guard !key.isEmpty, key.utf8.count <= 256 else { throw StoreError(.invalidInput, "setting key must be 1-256 bytes") }
        guard (value?.utf8.count ?? 0) <= 1 << 20 else { throw StoreError(.invalidInput, "setting value larger than 1 MiB") }
        try await write { connection throws(StoreError) in
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
}
