import SluiceTestSupport
import Foundation
import SluiceCrypto
import Testing
@testable import SluiceApp

struct SNSCertificateMemoTests {
    static func certificate() throws -> X509Certificate {
        let url = SNSTestPaths.fixtures.appendingPathComponent("sns/certs/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem")
        return try X509Certificate(pem: Array(try Data(contentsOf: url)))
    }

    // The fixture certificate is valid 2021-09-07 ... 2022-08-17.
    static let inside = Date(timeIntervalSince1970: 1_650_000_000)
    static let url = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem"
    static let topic = "arn:aws:sns:us-east-1:123456789012:feedback"

    @Test func remembersOnlyTheExactURLAndTopicPair() throws {
        let memo = SNSCertificateMemo(ttl: 3600)
        let cert = try Self.certificate()
        memo.put(url: Self.url, topicArn: Self.topic, certificate: cert, now: Self.inside)
        #expect(memo.get(url: Self.url, topicArn: Self.topic, now: Self.inside) === cert)
        #expect(memo.get(url: Self.url, topicArn: Self.topic + "x", now: Self.inside) == nil)
        #expect(memo.get(url: Self.url + "x", topicArn: Self.topic, now: Self.inside) == nil)
        // The old joined key `url + "\n" + topic` must not be reachable by moving the separator.
        #expect(memo.get(url: Self.url + "\n" + "arn", topicArn: ":aws:sns:us-east-1:123456789012:feedback", now: Self.inside) == nil)
    }

    @Test func entriesExpireAfterTheTTLAndAreDropped() throws {
        let memo = SNSCertificateMemo(ttl: 60)
        let cert = try Self.certificate()
        memo.put(url: Self.url, topicArn: Self.topic, certificate: cert, now: Self.inside)
        #expect(memo.get(url: Self.url, topicArn: Self.topic, now: Self.inside + 59) != nil)
        #expect(memo.get(url: Self.url, topicArn: Self.topic, now: Self.inside + 60) == nil)
        #expect(memo.count == 0)
    }

    @Test func neverOutlivesTheCertificate() throws {
        let memo = SNSCertificateMemo(ttl: 365 * 86_400)
        let cert = try Self.certificate()
        memo.put(url: Self.url, topicArn: Self.topic, certificate: cert, now: Self.inside)
        #expect(memo.get(url: Self.url, topicArn: Self.topic, now: cert.notAfter - 1) != nil)
        #expect(memo.get(url: Self.url, topicArn: Self.topic, now: cert.notAfter) == nil)
        // Already expired: not stored at all.
        memo.put(url: Self.url, topicArn: Self.topic, certificate: cert, now: cert.notAfter + 1)
        #expect(memo.count == 0)
    }

    /// Full, the least recently used pair makes room: one in steady use survives a burst of new pairs.
    @Test func isBoundedAndKeepsThePairsInUse() throws {
        let memo = SNSCertificateMemo(capacity: 4, ttl: 3600)
        let cert = try Self.certificate()
        for i in 0..<4 { memo.put(url: Self.url, topicArn: Self.topic + "\(i)", certificate: cert, now: Self.inside + Double(i)) }
        memo.put(url: Self.url, topicArn: Self.topic + "0", certificate: cert, now: Self.inside + 10)
        #expect(memo.count == 4)
        for burst in 0..<20 {
            let now = Self.inside + 20 + Double(burst)
            #expect(memo.get(url: Self.url, topicArn: Self.topic + "0", now: now) != nil)  // in steady use
            memo.put(url: Self.url, topicArn: Self.topic + "burst\(burst)", certificate: cert, now: now)
            #expect(memo.count == 4)
        }
        #expect(memo.get(url: Self.url, topicArn: Self.topic + "0", now: Self.inside + 50) != nil)
        #expect(memo.get(url: Self.url, topicArn: Self.topic + "1", now: Self.inside + 50) == nil)
        #expect(memo.get(url: Self.url, topicArn: Self.topic + "burst19", now: Self.inside + 50) != nil)
    }
}
