import SluiceTestSupport
import Foundation
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceAWS

/// SES client against moto (`pip install 'moto[server]'`), one shared server for the suite.
struct SESClientMotoTests {
    static let keys = AWSCredentials(accessKeyId: "AKIDMOTOTEST", secretAccessKey: "moto-secret")

    private func makeClient(_ moto: MotoServer) throws -> SESClient {
        SESClient(
            configuration: SESClientConfiguration(
                region: "us-east-1", endpoint: URL(string: moto.baseURL), credentials: StaticCredentialProvider(Self.keys),
                httpClient: try AWSTestSupport.httpClient()),
            logger: AWSTestSupport.logger)
    }

    /// Verifies `address` through the SES v1 Query API, signed by the same client.
    private func verify(_ address: String, with client: SESClient) async throws {
        let form = "Action=VerifyEmailIdentity&Version=2010-12-01&EmailAddress=" + SigV4Encoding.uriEncode(address)
        let response = try await client.perform(
            operation: "VerifyEmailIdentity", method: "POST", path: "/", body: Array(form.utf8),
            contentType: "application/x-www-form-urlencoded; charset=utf-8")
        #expect(response.bodyText.contains("VerifyEmailIdentityResponse"))
    }

    /// Instances of `ses.<model>` moto has recorded.
    private func recorded(_ model: String, in moto: MotoServer) async throws -> [[String: Any]] {
        let data = try await moto.modelData()
        return ((data["ses"] as? [String: Any])?[model] as? [[String: Any]]) ?? []
    }

    @Test func sendsSimpleEmailFromVerifiedSender() async throws {
        let moto = try await MotoServer.shared()
        let client = try makeClient(moto)
        try await verify("simple-sender@example.com", with: client)
        let response = try await client.sendEmail(SESSendEmailRequest(
            fromEmailAddress: "simple-sender@example.com", destination: .init(to: ["rcpt@example.net"]),
            content: .simple(.init(subject: .init("Moto subject 1"), text: .init("moto body 1")))))
        #expect(response.messageId?.isEmpty == false)

        let messages = try await recorded("Message", in: moto)
        let sent = try #require(messages.first { $0["id"] as? String == response.messageId })
        #expect(sent["source"] as? String == "simple-sender@example.com")
        #expect(sent["subject"] as? String == "Moto subject 1")
        #expect(sent["body"] as? String == "moto body 1")
        #expect((sent["destinations"] as? [String: [String]])?["ToAddresses"] == ["rcpt@example.net"])
    }

    @Test func unverifiedSenderIsPermanentMessageRejected() async throws {
        let moto = try await MotoServer.shared()
        let client = try makeClient(moto)
        let error = await #expect(throws: SESError.self) {
            try await client.sendEmail(SESSendEmailRequest(
                fromEmailAddress: "never-verified@example.org", destination: .init(to: ["rcpt@example.net"]),
                content: .simple(.init(subject: .init("s"), text: .init("t")))))
        }
        #expect(error?.code == .service)
        #expect(error?.awsErrorType == "MessageRejected")
        #expect(error?.retry == .permanent)
        #expect(error?.httpStatus == 400)
    }

    @Test func sendsRawEmail() async throws {
        let moto = try await MotoServer.shared()
        let client = try makeClient(moto)
        try await verify("raw-sender@example.com", with: client)
        let mime = """
            From: raw-sender@example.com\r
            To: rcpt@example.net\r
            Subject: Raw via moto\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            raw body line\r

            """
        let response = try await client.sendEmail(SESSendEmailRequest(
            fromEmailAddress: "raw-sender@example.com", destination: .init(to: ["rcpt@example.net"]),
            content: .raw(Array(mime.utf8))))
        let raws = try await recorded("RawMessage", in: moto)
        let sent = try #require(raws.first { $0["id"] as? String == response.messageId })
        #expect(sent["source"] as? String == "raw-sender@example.com")
        #expect((sent["raw_data"] as? String)?.contains("Subject: Raw via moto") == true)
        // moto merges Destination with the MIME To: header, so the address may appear twice.
        #expect(Set(sent["destinations"] as? [String] ?? []) == ["rcpt@example.net"])
    }
}
