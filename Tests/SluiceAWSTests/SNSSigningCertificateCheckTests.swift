import SluiceTestSupport
import Foundation
import SluiceCrypto
import Testing
@testable import SluiceAWS

/// PEM shape and name rules (pure).
struct SNSSigningCertificateCheckTests {
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
