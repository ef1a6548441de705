import SluiceTestSupport
import Foundation
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceAWS

struct CredentialWebIdentityTests {
    /// This test's own directory (token and config files), removed when the test is done.
    private let temp: TestDirectory

    init() throws { temp = try AWSTestSupport.tempDirectory() }

    static func stsResponse(keyId: String) -> String {
        let expiration = AWSTimestamp.iso8601(Date().addingTimeInterval(3600))
        return """
            <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleWithWebIdentityResult>
                <SubjectFromWebIdentityToken>system:serviceaccount:sluice</SubjectFromWebIdentityToken>
                <Credentials>
                  <AccessKeyId>\(keyId)</AccessKeyId>
                  <SecretAccessKey>sts-secret</SecretAccessKey>
                  <SessionToken>sts-session</SessionToken>
                  <Expiration>\(expiration)</Expiration>
                </Credentials>
              </AssumeRoleWithWebIdentityResult>
            </AssumeRoleWithWebIdentityResponse>
            """
    }

    static let invalidTokenResponse = """
        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>bad token</Message></Error>
          <RequestId>1</RequestId>
        </ErrorResponse>
        """

    /// A fake STS: unsigned form POST, answers with keys named after the token it received.
    private func makeServer() throws -> TestHTTPServer {
        try TestHTTPServer { request in
            let form = Dictionary(SigV4Request.parseQuery(request.bodyText).map { ($0.name, $0.value) }) { $1 }
            guard request.method == "POST", request.header("Authorization") == nil,
                form["Action"] == "AssumeRoleWithWebIdentity", form["Version"] == "2011-06-15",
                form["RoleArn"] == "arn:aws:iam::123456789012:role/sluice", let token = form["WebIdentityToken"]
            else { return TestHTTPServer.Response(status: 400, body: Self.invalidTokenResponse) }
            if token == "revoked" { return TestHTTPServer.Response(status: 400, body: Self.invalidTokenResponse) }
            return TestHTTPServer.Response(headers: [("Content-Type", "text/xml")], body: Self.stsResponse(keyId: "AKID-\(token)"))
        }
    }

    @Test func chainAssumesRoleWithTokenFile() async throws {
        let server = try makeServer()
        defer { server.stop() }
        let dir = temp.path
        try AWSTestSupport.write("jwt1\n", to: dir + "/token")
        let env = try AWSTestSupport.isolatedEnvironment([
            "AWS_WEB_IDENTITY_TOKEN_FILE": dir + "/token", "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/sluice",
            "AWS_ROLE_SESSION_NAME": "sluice-test", "AWS_REGION": "eu-central-1",
        ])
        let chain = DefaultCredentialChain(
            environment: env, httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger,
            stsEndpoint: server.baseURL + "/")
        #expect(await chain.resolveSource() == .webIdentity)
        let keys = try await chain.credentials()
        #expect(keys.accessKeyId == "AKID-jwt1")
        #expect(keys.sessionToken == "sts-session")
        let form = SigV4Request.parseQuery(try #require(server.requests.first).bodyText)
        #expect(form.contains(.init("RoleSessionName", "sluice-test")))
    }

    @Test func chainReadsWebIdentitySettingsFromProfile() async throws {
        let server = try makeServer()
        defer { server.stop() }
        let dir = temp.path
        try AWSTestSupport.write("jwtprofile", to: dir + "/token")
        try AWSTestSupport.write(
            """
            [profile eks]
            role_arn = arn:aws:iam::123456789012:role/sluice
            web_identity_token_file = \(dir)/token
            region = ap-southeast-2
            """, to: dir + "/config")
        let env = try AWSTestSupport.isolatedEnvironment(["AWS_CONFIG_FILE": dir + "/config", "AWS_PROFILE": "eks"])
        let chain = DefaultCredentialChain(
            environment: env, httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger,
            stsEndpoint: server.baseURL + "/")
        #expect(await chain.resolveSource() == .webIdentity)
        #expect(try await chain.credentials().accessKeyId == "AKID-jwtprofile")
    }

    @Test func rereadsTheTokenFileOnEachFetch() async throws {
        let server = try makeServer()
        defer { server.stop() }
        let dir = temp.path
        try AWSTestSupport.write("jwt1", to: dir + "/token")
        let provider = WebIdentityCredentialProvider(
            roleArn: "arn:aws:iam::123456789012:role/sluice", tokenFile: dir + "/token", roleSessionName: nil,
            endpoint: server.baseURL + "/", httpClient: try AWSTestSupport.httpClient())
        #expect(try await provider.credentials().accessKeyId == "AKID-jwt1")
        try AWSTestSupport.write("jwt2", to: dir + "/token")
        #expect(try await provider.credentials().accessKeyId == "AKID-jwt2")
    }

    @Test func stsErrorIsRejectedWithServiceCode() async throws {
        let server = try makeServer()
        defer { server.stop() }
        let dir = temp.path
        try AWSTestSupport.write("revoked", to: dir + "/token")
        let provider = WebIdentityCredentialProvider(
            roleArn: "arn:aws:iam::123456789012:role/sluice", tokenFile: dir + "/token", roleSessionName: nil,
            endpoint: server.baseURL + "/", httpClient: try AWSTestSupport.httpClient())
        let error = await #expect(throws: CredentialProviderError.self) { try await provider.credentials() }
        #expect(error?.code == .rejected)
        #expect(error?.serviceCode == "InvalidIdentityToken")
    }

    @Test func missingTokenFileIsUnreadable() async throws {
        let provider = WebIdentityCredentialProvider(
            roleArn: "arn:aws:iam::123456789012:role/sluice", tokenFile: "/nonexistent/sluice-token", roleSessionName: nil,
            endpoint: try AWSTestSupport.closedPortURL(), httpClient: try AWSTestSupport.httpClient())
        let error = await #expect(throws: CredentialProviderError.self) { try await provider.credentials() }
        #expect(error?.code == .fileUnreadable)
    }

    @Test func defaultEndpointIsRegional() {
        #expect(WebIdentityCredentialProvider.endpoint(region: "eu-west-1") == "https://sts.eu-west-1.amazonaws.com/")
        #expect(WebIdentityCredentialProvider.endpoint(region: nil) == "https://sts.amazonaws.com/")
    }
}
