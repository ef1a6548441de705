import Foundation
import SluiceCore
import SluiceCrypto

/// One-click unsubscribe settings (`unsubscribe.*`), read once at build time.
struct UnsubscribeSettings: Sendable {
    /// `unsubscribe.base_url` without a trailing slash; empty when headers are not added.
    var baseURL: String
    var mailto: String
    var configurationSets: Set<String>
    /// Nil when no keys are configured: tokens can be neither issued nor verified.
    var codec: UnsubscribeTokenCodec?

    init(configuration c: SluiceConfiguration) {
        var base = c.string("unsubscribe.base_url")
        while base.hasSuffix("/") { base.removeLast() }
        baseURL = base
        mailto = c.string("unsubscribe.mailto")
        configurationSets = Set(c.strings("unsubscribe.configuration_sets"))
        let maxAgeDays = c.int("unsubscribe.max_age_days")
        // Keys were validated when the configuration loaded.
        let keys = c.strings("unsubscribe.keys").compactMap { try? UnsubscribeKey(parsing: $0) }
        codec = keys.isEmpty ? nil : try? UnsubscribeTokenCodec(keys: keys, maxAge: maxAgeDays > 0 ? TimeInterval(maxAgeDays) * 86_400 : nil)
    }

    /// Whether headers can be added (a base URL and at least one key).
    var isEnabled: Bool { !baseURL.isEmpty && codec != nil }

    /// Whether `message` is bulk: flagged, or sent with a configured configuration set.
    func isBulk(_ message: OutboundMessage) -> Bool {
        message.bulk == true || message.configurationSet.map { configurationSets.contains($0) } == true
    }
}
