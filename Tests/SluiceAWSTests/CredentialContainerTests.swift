import SluiceTestSupport
import Foundation
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceAWS

struct CredentialContainerTests {
    /// This test's own directory (the token file), removed when the test is done.
    private let temp: TestDirectory

    init() throws { temp = try AWSTestSupport.tempDirectory() }

    /// Answers credentials only when `Authorization` equals the token file's current content.
    private func makeServer(tokenFile: String) throws -> TestHTTPServer {
        try TestHTTPServer { request in
            let expected = (try? String(contentsOfFile: tokenFile, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard request.method == "GET", request.path == "/creds", let expected,
                request.header("Authorization") == expected
            else { return .json(#"{"message":"denied"}"#, status: 401) }
            return .json(AWSTestSupport.credentialJSON(keyId: "AKIDCONTAINER"))
        }
    }

    @Test func fetchesWithTokenFromFileAndRereadsIt() async throws {
        let tokenFile = temp.path + "/token"
        try AWSTestSupport.write("first-token\n", to: tokenFile)
        let server = try makeServer(tokenFile: tokenFile)
        defer { server.stop() }
        let env = try AWSTestSupport.isolatedEnvironment([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/creds",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored-when-file-set",
        ])
        let provider = try #require(try ContainerCredentialProvider.fromEnvironment(env, httpClient: try AWSTestSupport.httpClient()))
        let first = try await provider.credentials()
        #expect(first.accessKeyId == "AKIDCONTAINER")
        #expect(first.sessionToken == "token-AKIDCONTAINER")
        #expect(first.expiration != nil)

        try AWSTestSupport.write("second-token", to: tokenFile)
        _ = try await provider.credentials()
        #expect(server.requests.map { $0.header("Authorization") } == ["first-token", "second-token"])
    }

    @Test func usesTokenVariableWithoutFile() async throws {
        let server = try TestHTTPServer { request in
            request.header("Authorization") == "env-token"
                ? .json(AWSTestSupport.credentialJSON(keyId: "AKIDENVTOKEN")) : .json("{}", status: 401)
        }
        defer { server.stop() }
        let env = try AWSTestSupport.isolatedEnvironment([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "env-token",
        ])
        let chain = DefaultCredentialChain(environment: env, httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger)
        #expect(await chain.resolveSource() == .container)
        #expect(try await chain.credentials().accessKeyId == "AKIDENVTOKEN")
    }

    @Test func wrongTokenIsAnHTTPStatusErrorWithoutRetry() async throws {
        let tokenFile = temp.path + "/token"
        try AWSTestSupport.write("stale", to: tokenFile)
        let server = try TestHTTPServer { _ in .json(#"{"message":"denied"}"#, status: 401) }
        defer { server.stop() }
        let env = [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
        ]
        let provider = try #require(try ContainerCredentialProvider.fromEnvironment(env, httpClient: try AWSTestSupport.httpClient()))
        let error = await #expect(throws: CredentialProviderError.self) { try await provider.credentials() }
        #expect(error?.code == .httpStatus)
        #expect(error?.httpStatus == 401)
        #expect(server.requests.count == 1)
    }

    @Test func retriesOnceOnServerError() async throws {
        let server = try TestHTTPServer { request in
            .json("{}", status: 503)
        }
        defer { server.stop() }
        let env = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/creds"]
        let provider = try #require(try ContainerCredentialProvider.fromEnvironment(env, httpClient: try AWSTestSupport.httpClient()))
        await #expect(throws: CredentialProviderError.self) { try await provider.credentials() }
        #expect(server.requests.count == ContainerCredentialProvider.maxAttempts)
    }

    @Test(arguments: [
        "http://example.com/creds",  // plain http to a non-loopback host
        "ftp://127.0.0.1/creds",
    ])
    func rejectsFullURIsBotocoreRefuses(uri: String) throws {
        #expect(throws: CredentialProviderError.self) {
            _ = try ContainerCredentialProvider.fromEnvironment(
                ["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri], httpClient: try AWSTestSupport.httpClient())
        }
    }

    @Test func relativeURIUsesTheECSHost() throws {
        let provider = try ContainerCredentialProvider.fromEnvironment(
            ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"], httpClient: try AWSTestSupport.httpClient())
        #expect(provider?.endpoint.url == "http://169.254.170.2/v2/credentials/abc")
    }

    @Test func tokenFileWithLineBreakIsRejected() async throws {
        try AWSTestSupport.write("abc\ninjected: yes", to: temp.path + "/token")
        let server = try TestHTTPServer { _ in .json(AWSTestSupport.credentialJSON(keyId: "X")) }
        defer { server.stop() }
        let provider = try #require(try ContainerCredentialProvider.fromEnvironment(
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/c", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": temp.path + "/token"],
            httpClient: try AWSTestSupport.httpClient()))
        let error = await #expect(throws: CredentialProviderError.self) { try await provider.credentials() }
        #expect(error?.code == .misconfigured)
        #expect(server.requests.isEmpty)
    }
}
