import Foundation
import SluiceCore

/// The monitor's memory kept in the settings table, so it survives restarts and the CLI can read it:
/// the alert engine state, the last notifications, and which protection pauses were already applied.
public struct MonitorStateStore: Sendable {
    static let alertStateKey = "monitoring.alert_state"
    static let recentKey = "monitoring.recent_notifications"
    static let protectionKey = "monitoring.protection_state"

    private let store: any SettingsStore

    public init(store: any SettingsStore) {
        self.store = store
    }

    /// The persisted alert state; empty when none was saved or it cannot be read (logged by the caller's next save).
    public func alertState() async throws(StoreError) -> AlertState {
        try await load(AlertState.self, key: Self.alertStateKey) ?? AlertState()
    }

    /// Replaces the persisted alert state.
    public func saveAlertState(_ state: AlertState) async throws(StoreError) {
        try await save(state, key: Self.alertStateKey)
    }

    /// The last notifications, newest first.
    public func recentNotifications() async throws(StoreError) -> [AlertNotification] {
        try await load([AlertNotification].self, key: Self.recentKey) ?? []
    }

    /// Prepends `notifications` (in order, so the last one ends up first) and keeps the newest `limit`.
    public func appendNotifications(_ notifications: [AlertNotification], limit: Int) async throws(StoreError) {
        guard !notifications.isEmpty else { return }
        let merged = Array((notifications.reversed() + (try await recentNotifications())).prefix(max(1, limit)))
        try await save(merged, key: Self.recentKey)
    }

    /// The protection pauses applied in the current episodes.
    func protectionMemory() async throws(StoreError) -> ProtectionMemory {
        try await load(ProtectionMemory.self, key: Self.protectionKey) ?? ProtectionMemory()
    }

    func saveProtectionMemory(_ memory: ProtectionMemory) async throws(StoreError) {
        try await save(memory, key: Self.protectionKey)
    }

    private func load<T: Decodable>(_ type: T.Type, key: String) async throws(StoreError) -> T? {
        guard let json = try await store.setting(key) else { return nil }
        // A value this build cannot decode (e.g. written by a newer version) starts afresh rather than wedging the monitor.
        return try? Self.decoder.decode(T.self, from: Data(json.utf8))
    }

    private func save<T: Encodable>(_ value: T, key: String) async throws(StoreError) {
        guard let data = try? Self.encoder.encode(value) else { throw StoreError(.invalidInput, "cannot encode \(key)") }
        try await store.setSetting(key, String(decoding: data, as: UTF8.self))
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }
}
