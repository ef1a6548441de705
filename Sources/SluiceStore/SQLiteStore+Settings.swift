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
        guard !key.isEmpty, key.utf8.count <= 256 else { throw StoreError(.invalidInput, "setting key must be 1-256 bytes") }
        guard (value?.utf8.count ?? 0) <= 1 << 20 else { throw StoreError(.invalidInput, "setting value larger than 1 MiB") }
        try await writer.submit { database throws(StoreError) in
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
}
