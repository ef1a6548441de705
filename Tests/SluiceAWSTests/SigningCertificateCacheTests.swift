import Foundation
import SluiceCrypto
import Testing
@testable import SluiceAWS

/// The bounded LRU behind `SigningCertificateProvider` (pure, no I/O).
struct SigningCertificateCacheTests {
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

/// PEM shape and name rules (pure).
struct SigningCertificateCheckTests {
    @Test func acceptsOnlyOnePEMCertificate() throws {
        let pem = Array(try Data(contentsOf: SNSTestPaths.fixtures.appendingPathComponent(
            "sns/certs/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem")))
        #expect(SigningCertificateCheck.isSinglePEMCertificate(pem))
        #expect(SigningCertificateCheck.isSinglePEMCertificate(Array("\r\n".utf8) + pem + Array("\n\n".utf8)))
        #expect(!SigningCertificateCheck.isSinglePEMCertificate(pem + pem))
        #expect(!SigningCertificateCheck.isSinglePEMCertificate(Array("junk\n".utf8) + pem))
        #expect(!SigningCertificateCheck.isSinglePEMCertificate(Array("-----BEGIN CERTIFICATE----------END CERTIFICATE-----".utf8)))
        #expect(!SigningCertificateCheck.isSinglePEMCertificate(Array("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----".utf8)))
        #expect(!SigningCertificateCheck.isSinglePEMCertificate([]))
    }

    @Test func regionPlaceholderUsesTopicRegion() {
        let names = SigningCertificateProviderConfiguration.defaultAcceptedNames
        #expect(SigningCertificateCheck.acceptedNames(names, topicArn: "arn:aws:sns:af-south-1:123456789012:t")
            == ["sns.amazonaws.com", "sns-signing.af-south-1.amazonaws.com"])
        #expect(SigningCertificateCheck.acceptedNames(names, topicArn: "not an arn") == ["sns.amazonaws.com"])
    }
}

/// The bounded XML text extractor used for ConfirmSubscription responses (pure).
struct SNSXMLTextTests {
    static let path = ["ConfirmSubscriptionResponse", "ConfirmSubscriptionResult", "SubscriptionArn"]

    @Test func extractsNestedText() {
        let xml = Array(SNSTestKit.confirmationResponse("arn:aws:sns:us-east-1:1:t:abc").utf8)
        #expect(SNSXMLText.first(path: Self.path, in: xml) == "arn:aws:sns:us-east-1:1:t:abc")
    }

    @Test func requiresThePath() {
        let flat = Array("<SubscriptionArn>x</SubscriptionArn>".utf8)
        #expect(SNSXMLText.first(path: Self.path, in: flat) == nil)
        let prefixed = Array("<ConfirmSubscriptionResponseX><ConfirmSubscriptionResult><SubscriptionArn>x</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponseX>".utf8)
        #expect(SNSXMLText.first(path: Self.path, in: prefixed) == nil)
        let unclosed = Array("<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>x".utf8)
        #expect(SNSXMLText.first(path: Self.path, in: unclosed) == nil)
    }

    @Test func decodesEntitiesAndRefusesMarkupAndOversize() {
        let escaped = Array("<a><b>x&amp;y&lt;</b></a>".utf8)
        #expect(SNSXMLText.first(path: ["a", "b"], in: escaped) == "x&y<")
        let markup = Array("<a><b>x<c/></b></a>".utf8)
        #expect(SNSXMLText.first(path: ["a", "b"], in: markup) == nil)
        let big = Array("<a><b>".utf8) + Array(repeating: UInt8(ascii: "x"), count: 100) + Array("</b></a>".utf8)
        #expect(SNSXMLText.first(path: ["a", "b"], in: big, limit: 64) == nil)
        #expect(SNSXMLText.first(path: ["a", "b"], in: Array("<a><b/></a>".utf8)) == "")
    }
}
