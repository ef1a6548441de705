import Foundation
import SluiceCore
import SluiceCrypto

extension SluiceConfiguration {
    /// `unsubscribe.*` and `pacing.*` values that must parse (each key on its own, so keys can be set in any order).
    func checkDeliverabilityRules() throws(ConfigurationError) {
        func invalid(_ path: String, _ why: String) -> ConfigurationError {
            ConfigurationError(.invalidValue, "invalid value for '\(path)': \(why)")
        }
        let base = string("unsubscribe.base_url")
        if !base.isEmpty {
            guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(),
                ["http", "https"].contains(scheme), url.user == nil, url.query == nil, url.fragment == nil
            else {
                throw invalid("unsubscribe.base_url", "must be an https URL without credentials, query or fragment")
            }
            // RFC 8058 §3.1: the List-Unsubscribe URI for one-click must be HTTPS. Plain http only reaches a
            // loopback host (tests, a local proxy), never a recipient's mail client.
            guard scheme == "https" || ["127.0.0.1", "::1", "[::1]", "localhost"].contains(host) else {
                throw invalid("unsubscribe.base_url", "must be https (RFC 8058); http is allowed only for 127.0.0.1, ::1 or localhost")
            }
        }
        var ids = Set<String>()
        for text in strings("unsubscribe.keys") {
            let key: UnsubscribeKey
            do { key = try UnsubscribeKey(parsing: text) } catch { throw invalid("unsubscribe.keys", error.message) }
            guard ids.insert(key.id).inserted else { throw invalid("unsubscribe.keys", "key id '\(key.id)' appears twice") }
        }
        let mailto = string("unsubscribe.mailto")
        if !mailto.isEmpty, !mailto.contains("@") || mailto.utf8.contains(where: { $0 <= 32 || $0 == 60 || $0 == 62 || $0 == 63 || $0 >= 127 }) {
            throw invalid("unsubscribe.mailto", "must be a plain email address")
        }
        for text in strings("pacing.groups") where DomainGroup(parsing: text) == nil {
            throw invalid("pacing.groups", "'\(text.prefix(80))' is not [name:]domain+domain=rate with a rate > 0")
        }
        for text in strings("pacing.warmup_identities")
        where WarmupSchedule(parsing: text, initialDailyCap: 1, factor: 1) == nil {
            throw invalid("pacing.warmup_identities", "'\(text.prefix(80))' is not identity@YYYY-MM-DD")
        }
        // A ceiling at or under the first day's cap would end warm-up before it starts (no cap at all).
        let ceiling = int("pacing.warmup_max_daily")
        if ceiling > 0, ceiling <= int("pacing.warmup_initial_daily") {
            throw invalid("pacing.warmup_max_daily", "must exceed pacing.warmup_initial_daily, or be 0 (no ceiling)")
        }
    }
}
