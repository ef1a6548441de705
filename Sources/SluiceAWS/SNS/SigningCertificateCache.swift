import Foundation
import SluiceCrypto

/// A bounded least-recently-used map from exact certificate URL to a parsed certificate with an expiry.
/// Plain value type: the owning actor serialises access.
struct SigningCertificateCache {
    struct Entry {
        var certificate: X509Certificate
        var expiresAt: Date
        var lastUse: UInt64
    }

    let capacity: Int
    private(set) var entries: [String: Entry] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var count: Int { entries.count }

    /// The certificate for `url` if present and not expired at `now`; an expired entry is dropped.
    mutating func get(_ url: String, now: Date) -> X509Certificate? {
        guard var entry = entries[url] else { return nil }
        guard now < entry.expiresAt else {
            entries[url] = nil
            return nil
        }
        clock += 1
        entry.lastUse = clock
        entries[url] = entry
        return entry.certificate
    }

    /// Inserts or replaces; evicts expired entries first, then the least recently used one.
    mutating func put(_ url: String, certificate: X509Certificate, expiresAt: Date, now: Date) {
        guard now < expiresAt else { return }
        clock += 1
        if entries[url] == nil && entries.count >= capacity {
            entries = entries.filter { now < $0.value.expiresAt }
            // Linear scan is fine: capacity is small (tens of entries).
            if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                entries[oldest] = nil
            }
        }
        entries[url] = Entry(certificate: certificate, expiresAt: expiresAt, lastUse: clock)
    }
}
