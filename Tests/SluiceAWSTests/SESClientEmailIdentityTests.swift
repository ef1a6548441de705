import SluiceTestSupport
import Foundation
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceAWS

/// `SESClient.getEmailIdentity` against moto (signed, real HTTP) and a stand-in (exact path, errors).
struct SESClientEmailIdentityTests {
    static let keys = AWSCredentials(accessKeyId: "AKIDMOTOTEST", secretAccessKey: "moto-secret")

    private func makeClient(_ endpoint: String) throws -> SESClient {
        SESClient(
            configuration: SESClientConfiguration(
                region: "us-east-1", endpoint: URL(string: endpoint), credentials: StaticCredentialProvider(Self.keys),
                httpClient: try AWSTestSupport.httpClient()),
            logger: AWSTestSupport.logger)
    }

    /// `CreateEmailIdentity` (`POST /v2/email/identities`), which the client itself has no call for.
    static func createIdentity(_ identity: String, with client: SESClient) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["EmailIdentity": identity])
        _ = try await client.perform(operation: "CreateEmailIdentity", method: "POST", path: "/v2/email/identities", body: Array(body))
    }

    @Test func motoDomainIdentityIsReadBack() async throws {
        let moto = try await MotoServer.shared()
        let client = try makeClient(moto.baseURL)
        let domain = "identity-\(UUID().uuidString.prefix(8).lowercased()).example"
        try await Self.createIdentity(domain, with: client)
        let identity = try await client.getEmailIdentity(domain)
        #expect(identity.identityType == "DOMAIN")
        // moto 5 marks a new identity unverified, Easy DKIM, not started, and returns no tokens.
        #expect(identity.verifiedForSending == false)
        #expect(identity.dkim?.origin == "AWS_SES")
        #expect(identity.dkim?.status == "NOT_STARTED")
    }

    /// The address is one path segment: `@` and `+` are percent-encoded (and signed encoded twice).
    @Test func motoAddressIdentityIsOnePathSegment() async throws {
        let moto = try await MotoServer.shared()
        let client = try makeClient(moto.baseURL)
        let address = "dkim+\(UUID().uuidString.prefix(8).lowercased())@example.org"
        try await Self.createIdentity(address, with: client)
        let identity = try await client.getEmailIdentity(address)
        #expect(identity.identityType == "EMAIL_ADDRESS")
    }

    @Test func motoUnknownIdentityIsNotFound() async throws {
        let moto = try await MotoServer.shared()
        let client = try makeClient(moto.baseURL)
        let error = await #expect(throws: SESError.self) { try await client.getEmailIdentity("never-created.example") }
        #expect(error?.code == .service)
        #expect(error?.httpStatus == 404)
        #expect(error?.awsErrorType == "NotFoundException")
    }

    @Test func requestIsASignedGETOfTheEncodedIdentity() async throws {
        let server = try TestHTTPServer { _ in
            .json(#"{"IdentityType":"DOMAIN","DkimAttributes":{"SigningAttributesOrigin":"AWS_SES","Tokens":["t1"]}}"#)
        }
        defer { server.stop() }
        let identity = try await makeClient(server.baseURL).getEmailIdentity("bücher+x@example.com")
        #expect(identity.dkim?.tokens == ["t1"])
        let request = try #require(server.requests.first)
        #expect(server.requests.count == 1)
        #expect(request.method == "GET")
        #expect(request.target == "/v2/email/identities/b%C3%BCcher%2Bx%40example.com")
        #expect(request.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDMOTOTEST/") == true)
        #expect(request.header("Content-Type") == nil)
    }

    @Test func garbageTwoHundredIsInvalidResponse() async throws {
        let server = try TestHTTPServer { _ in .json("<html>captive portal</html>") }
        defer { server.stop() }
        let error = await #expect(throws: SESError.self) { try await makeClient(server.baseURL).getEmailIdentity("example.com") }
        #expect(error?.code == .invalidResponse)
    }
}
