import SluiceCore

/// The address-key rule a database's suppressions were keyed with, kept in its settings.
///
/// `policy.case_sensitive_local_part` decides whether `Jane@x` and `jane@x` share a key. Changing it on a
/// database that holds keys made the other way would leave them unmatched (every stored `jane@x` misses mail
/// to `Jane@x`), silently; so the first start records the setting, and later starts refuse another value.
public enum AddressKeyMode {
    /// The normalizer configuration `configuration` asks for (`policy.case_sensitive_local_part`).
    public static func normalizerConfiguration(_ configuration: SluiceConfiguration) -> AddressNormalizerConfiguration {
        AddressNormalizerConfiguration(caseInsensitiveLocalPart: !configuration.bool("policy.case_sensitive_local_part"))
    }

    /// The settings key, named after the configuration key it records.
    public static let settingKey = "policy.case_sensitive_local_part"

    /// Records `configuration`'s mode when `store` has none yet, else checks that it is the recorded one.
    /// - Throws: `AddressKeyModeMismatch` when the database was keyed the other way; `StoreError`.
    public static func check(_ configuration: AddressNormalizerConfiguration, store: any SettingsStore) async throws {
        let configured = value(configuration)
        var recorded = try await store.setting(settingKey)
        if recorded == nil {
            // One step: two processes starting at once record one value, and the other is then checked on it.
            recorded = try await store.updateSetting(settingKey) { current in current ?? configured }
        }
        guard let recorded, recorded != configured else { return }
        throw AddressKeyModeMismatch(configured: configured, recorded: recorded)
    }

    /// The setting's value for `configuration`: "true" when local parts are compared case-sensitively.
    static func value(_ configuration: AddressNormalizerConfiguration) -> String {
        configuration.caseInsensitiveLocalPart ? "false" : "true"
    }
}

/// `policy.case_sensitive_local_part` differs from the value the database's keys were made with: a
/// configuration error (exit 78).
public struct AddressKeyModeMismatch: Error, Sendable, CustomStringConvertible {
    /// The configured value ("true" or "false").
    public var configured: String
    /// The value recorded in the database.
    public var recorded: String

    public var description: String {
        """
        policy.case_sensitive_local_part is \(configured), but this database's suppressions were keyed with \(recorded): \
        its stored addresses would no longer match. Set it back to \(recorded); to switch, export the suppressions \
        and import them into a new database started with the new value
        """
    }
}
