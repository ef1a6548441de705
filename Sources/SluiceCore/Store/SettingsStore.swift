/// Small durable key/value settings (sending-paused flag, alert state JSON).
public protocol SettingsStore: Sendable {
    func setting(_ key: String) async throws(StoreError) -> String?
    /// Sets `key`; nil deletes it.
    func setSetting(_ key: String, _ value: String?) async throws(StoreError)
}
