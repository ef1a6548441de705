import Foundation
import Testing
@testable import SluiceCrypto

struct X509CertificateTests {
    static func snsCertificate(_ hash: String) throws -> X509Certificate {
        let url = TestPaths.fixtures.appendingPathComponent("sns/certs/SimpleNotificationService-\(hash).pem")
        return try X509Certificate(pem: Array(try Data(contentsOf: url)))
    }

    @Test func readsSubjectSANAndValidityOfAnSNSCertificate() throws {
        let cert = try Self.snsCertificate("7ff5318490ec183fbaddaa2a969abfda")
        #expect(cert.subjectCommonName == "sns.amazonaws.com")
        #expect(cert.subjectAlternativeDNSNames == ["sns.amazonaws.com"])
        // openssl x509 -dates: notBefore=Sep  7 00:00:00 2021 GMT, notAfter=Aug 17 23:59:59 2022 GMT
        #expect(cert.notBefore == Date(timeIntervalSince1970: 1_630_972_800))
        #expect(cert.notAfter == Date(timeIntervalSince1970: 1_660_780_799))
        #expect(cert.isValid(at: Date(timeIntervalSince1970: 1_650_000_000)))
        #expect(!cert.isValid(at: Date()))
    }

    @Test func certificateWithoutSANFallsBackToCommonNameForHostMatching() throws {
        let cert = try Self.snsCertificate("f3ecfb7224c7233fe7bb5f59f96de52f")
        #expect(cert.subjectAlternativeDNSNames.isEmpty)
        #expect(cert.subjectCommonName == "sns.amazonaws.com")
        #expect(cert.matches(hostname: "sns.amazonaws.com"))
    }

    @Test func hostMatchingIsExactAndCaseInsensitive() throws {
        let cert = try Self.snsCertificate("7ff5318490ec183fbaddaa2a969abfda")
        #expect(cert.matches(hostname: "sns.amazonaws.com"))
        #expect(cert.matches(hostname: "SNS.amazonaws.COM"))
        #expect(!cert.matches(hostname: "evil-sns.amazonaws.com"))
        #expect(!cert.matches(hostname: "sns.amazonaws.com.evil.example"))
        #expect(!cert.matches(hostname: "amazonaws.com"))
        #expect(!cert.matches(hostname: "127.0.0.1"))
        #expect(!cert.matches(hostname: ""))
    }

    @Test func derRoundTripsAndPublicKeyIsRSA() throws {
        let cert = try Self.snsCertificate("433026a4050d206028891664da859041")
        let again = try X509Certificate(der: cert.derBytes)
        #expect(again.derBytes == cert.derBytes)
        #expect(again.subjectCommonName == "sns.amazonaws.com")
        let key = try cert.publicKey
        #expect(key.isRSA)
        #expect(key.bits >= 2048)
    }

    @Test func rejectsGarbage() {
        let pem = #expect(throws: CryptoError.self) { try X509Certificate(pem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n") }
        #expect(pem?.code == .invalidCertificate)
        #expect(pem?.openSSLErrors.isEmpty == false)
        let der = #expect(throws: CryptoError.self) { try X509Certificate(der: [0x30, 0x03, 0x02, 0x01, 0x01]) }
        #expect(der?.code == .invalidCertificate)
        #expect(throws: CryptoError.self) { try X509Certificate(der: [UInt8]()) }
    }

    @Test func trailingBytesAfterDERAreRejected() throws {
        let cert = try Self.snsCertificate("433026a4050d206028891664da859041")
        #expect(throws: CryptoError.self) { try X509Certificate(der: cert.derBytes + [0]) }
    }
}
