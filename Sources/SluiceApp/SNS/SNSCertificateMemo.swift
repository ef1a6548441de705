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
        var certificate: X509Certificate
        var expiresAt: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int
    private let ttl: TimeInterval

    init(capacity: Int = 256, ttl: TimeInterval) {
        self.capacity = max(1, capacity)
        self.ttl = ttl
    }

    func get(url: String, topicArn: String, now: Date) -> X509Certificate? {
        let key = Self.key(url, topicArn)
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expiresAt > now else {
                entries[key] = nil
                return nil
            }
            return entry.certificate
        }
    }

    func put(url: String, topicArn: String, certificate: X509Certificate, now: Date) {
        let expiresAt = min(now + ttl, certificate.notAfter)
        guard expiresAt > now else { return }
        entries.withLock { entries in
            // Bounded: distinct (URL, topic) pairs are few in practice; start over rather than track recency.
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[Self.key(url, topicArn)] = Entry(certificate: certificate, expiresAt: expiresAt)
        }
    }

    private static func key(_ url: String, _ topicArn: String) -> String { url + "\n" + topicArn }
}
