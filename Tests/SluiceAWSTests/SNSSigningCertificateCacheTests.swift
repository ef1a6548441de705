import SluiceTestSupport
import Foundation
import SluiceCrypto
import Testing
@testable import SluiceAWS

/// The bounded LRU behind `SigningCertificateProvider` (pure, no I/O).
struct SNSSigningCertificateCacheTests {
    static func certificate() throws -> X509Certificate {
        let url = SNSTestPaths.fixtures.appendingPathComponent("sns/certs/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem")
        return try X509Certificate(pem: Array(try Data(contentsOf: url)))
    }

    @Test func evictsLeastRecentlyUsed() throws {
        let cert = try Self.certificate()
        let now = Date()
        var cache = SigningCertificateCache(capacity: 3)
        for name in ["a", "b", "c"] { cache.put(name, certificate: cert, expiresAt: now + 60, now: now) }
        #expect(cache.get("a", now: now) != nil)  // a is now the most recent
        cache.put("d", certificate: cert, expiresAt: now + 60, now: now)
        #expect(cache.count == 3)
        #expect(cache.get("b", now: now) == nil)
        #expect(cache.get("a", now: now) != nil)
        #expect(cache.get("c", now: now) != nil)
        #expect(cache.get("d", now: now) != nil)
    }

    @Test func expiredEntriesAreDroppedAndEvictedFirst() throws {
        let cert = try Self.certificate()
        let now = Date()
        var cache = SigningCertificateCache(capacity: 2)
        cache.put("short", certificate: cert, expiresAt: now + 1, now: now)
        cache.put("long", certificate: cert, expiresAt: now + 60, now: now)
        #expect(cache.get("short", now: now + 1) == nil)
        #expect(cache.count == 1)
        cache.put("never", certificate: cert, expiresAt: now, now: now)
        #expect(cache.get("never", now: now) == nil)
        #expect(cache.count == 1)
    }

    @Test func exactURLOnly() throws {
        let cert = try Self.certificate()
        let now = Date()
        var cache = SigningCertificateCache(capacity: 4)
        cache.put("https://h/A.pem", certificate: cert, expiresAt: now + 60, now: now)
        #expect(cache.get("https://h/a.pem", now: now) == nil)
        #expect(cache.get("https://h/A.pem ", now: now) == nil)
    }
}
