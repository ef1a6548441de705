import Foundation
import SluiceCrypto
import Synchronization

/// Certificates the provider already accepted, by exact (SigningCertURL, TopicArn).
///
/// The provider is an actor that re-checks the URL (a regex) on every call; at thousands of messages a
/// second that serialises every request on one executor. Its verdict for a given URL and topic cannot
/// change while the policy is fixed, so a hit here skips the provider until the entry expires
/// (never past the certificate's notAfter, nor the configured cache time).
final class SNSCertificateMemo: Sendable {
    private struct Entry {
        var url: String
        var topicArn: String
        var certificate: X509Certificate
        var expiresAt: Date
        /// When a request last used it: the least recent goes when the memo is full.
        var lastUsed: Date
    }

    // A short list scanned in order, not a dictionary: every request looks up, and comparing two
    // strings that are almost always equal is cheaper than joining them into a key and hashing it.
    // Distinct (URL, topic) pairs are few (one per region and topic), and `capacity` bounds the scan.
    private let entries = Mutex<[Entry]>([])
    private let capacity: Int
    private let ttl: TimeInterval

    init(capacity: Int = 64, ttl: TimeInterval) {
        self.capacity = max(1, capacity)
        self.ttl = ttl
    }

    func get(url: String, topicArn: String, now: Date) -> X509Certificate? {
        entries.withLock { entries in
            guard let index = entries.firstIndex(where: { $0.url == url && $0.topicArn == topicArn }) else { return nil }
            guard entries[index].expiresAt > now else {
                entries.remove(at: index)
                return nil
            }
            entries[index].lastUsed = now
            return entries[index].certificate
        }
    }

    func put(url: String, topicArn: String, certificate: X509Certificate, now: Date) {
        let expiresAt = min(now + ttl, certificate.notAfter)
        guard expiresAt > now else { return }
        let entry = Entry(url: url, topicArn: topicArn, certificate: certificate, expiresAt: expiresAt, lastUsed: now)
        entries.withLock { entries in
            if let index = entries.firstIndex(where: { $0.url == url && $0.topicArn == topicArn }) {
                entries[index] = entry
                return
            }
            // Bounded: the least recently used pair goes, so pairs that only a burst of messages for many
            // topics used once (wildcard topic patterns) cannot push out the ones in steady use.
            if entries.count >= capacity, let stale = entries.indices.min(by: { entries[$0].lastUsed < entries[$1].lastUsed }) {
                entries.remove(at: stale)
            }
            entries.append(entry)
        }
    }

    /// How many (URL, topic) pairs are remembered.
    var count: Int { entries.withLock { $0.count } }
}
