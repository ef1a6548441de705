import Foundation
import Testing
@testable import SluiceCrypto

/// Real SNS messages must verify with `X509Certificate.verify`; tampered ones must not.
/// The canonical-string builder here is a deliberately tiny test copy (the real one is in SluiceCore).
struct SNSSignatureTests {
    struct Message: Sendable, CustomTestStringConvertible {
        let file: String
        var testDescription: String { file }
    }

    static func messages(in folder: String) -> [Message] {
        let directory = TestPaths.fixtures.appendingPathComponent("sns/\(folder)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { Message(file: "\(folder)/\($0)") }
    }

    static let genuine = messages(in: "genuine") + messages(in: "genuine-lambda-format")
    static let negative = messages(in: "negative")

    /// aws-reference.md §1.3: "Key\nValue\n" for the type's key list; Subject only when present and not null.
    static func canonicalString(_ json: [String: Any]) throws -> String {
        let type = try #require(json["Type"] as? String)
        let keys = type == "Notification"
            ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
            : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
        var text = ""
        for key in keys {
            guard let value = json[key] as? String else {
                try #require(key == "Subject", "missing \(key)")
                continue
            }
            text += "\(key)\n\(value)\n"
        }
        return text
    }

    static func signature(_ json: [String: Any]) throws -> [UInt8] {
        let text = try #require(json["Signature"] as? String)
        return Array(try #require(Data(base64Encoded: text)))
    }

    static func verify(_ message: Message) throws -> Bool {
        let data = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent("sns/\(message.file)"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let certURL = try #require((json["SigningCertURL"] ?? json["SigningCertUrl"]) as? String)
        let certName = try #require(certURL.split(separator: "/").last)
        let pem = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent("sns/certs/\(certName)"))
        let certificate = try X509Certificate(pem: Array(pem))
        let signature = try Self.signature(json)
        let algorithm: SignatureAlgorithm = switch json["SignatureVersion"] as? String {
        case "1": .rsaSHA1
        case "2": .rsaSHA256
        default: throw CryptoError(.unsupportedAlgorithm, "unexpected SignatureVersion")
        }
        return certificate.verify(signature: signature, data: Array(try canonicalString(json).utf8), algorithm: algorithm)
    }

    @Test func fixturesArePresent() {
        #expect(Self.genuine.count == 25)
        #expect(Self.negative.count == 2)
    }

    @Test(arguments: genuine)
    func genuineMessageVerifies(_ message: Message) throws {
        #expect(try Self.verify(message))
    }

    @Test(arguments: negative)
    func tamperedMessageFails(_ message: Message) throws {
        #expect(try !Self.verify(message))
    }

    @Test func wrongAlgorithmFails() throws {
        // 14 is SignatureVersion 2 (SHA-256); checking it as SHA-1 must fail.
        let data = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent("sns/genuine/14-notification-sv2-nosubject-2022-us-east-2.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let certificate = try X509CertificateTests.snsCertificate("7ff5318490ec183fbaddaa2a969abfda")
        let signature = try Self.signature(json)
        let canonical = Array(try Self.canonicalString(json).utf8)
        #expect(certificate.verify(signature: signature, data: canonical, algorithm: .rsaSHA256))
        #expect(!certificate.verify(signature: signature, data: canonical, algorithm: .rsaSHA1))
        #expect(!certificate.verify(signature: [UInt8](), data: canonical, algorithm: .rsaSHA256))
    }

    @Test func wrongCertificateFails() throws {
        let data = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent("sns/genuine/14-notification-sv2-nosubject-2022-us-east-2.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let other = try X509CertificateTests.snsCertificate("433026a4050d206028891664da859041")
        let signature = try Self.signature(json)
        #expect(!other.verify(signature: signature, data: Array(try Self.canonicalString(json).utf8), algorithm: .rsaSHA256))
    }
}
