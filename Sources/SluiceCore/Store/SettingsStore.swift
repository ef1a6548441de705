/// Small durable key/value settings (sending-paused flag, alert state JSON).
public protocol SettingsStore: Sendable {
    func setting(_ key: String) async throws(StoreError) -> String?
    /// Sets `key`; nil deletes it.
    func setSetting(_ key: String, _ value: String?) async throws(StoreError)
    /// Reads `key`, and sets it to what `transform` makes of that value (nil deletes it), as one step no
    /// other writer (thread, process or instance) can come between. Returns the value written.
    @discardableResult
    func updateSetting(
        _ key: String, _ transform: @escaping @Sendable (String?) throws(StoreError) -> String?
    ) async throws(StoreError) -> String?
}

extension SettingsStore {
    /// The limits every backend applies to a setting.
    public static func validateSetting(_ key: String, _ value: String?) throws(StoreError) {
        guard !key.isEmpty, key.utf8.count <= 256 else { throw StoreError(.invalidInput, "setting key must be 1-256 bytes") }
        guard (value?.utf8.count ?? 0) <= 1 << 20 else { throw StoreError(.invalidInput, "setting value larger than 1 MiB") }
    }
}
