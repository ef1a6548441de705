import SluiceTestSupport
import Foundation
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceAWS

/// Order of the default chain: env → web identity → shared files → container → IMDS.
struct CredentialChainTests {
    /// This test's own directory (the shared credentials file), removed when the test is done.
    private let temp: TestDirectory

    init() throws { temp = try AWSTestSupport.tempDirectory() }

    /// A server that answers container and IMDS paths and records who asked.
    private func makeMetadataServer() throws -> TestHTTPServer {
        try TestHTTPServer { request in
            switch request.path {
            case "/creds": return .json(AWSTestSupport.credentialJSON(keyId: "AKIDCONTAINER"))
            case "/latest/api/token": return TestHTTPServer.Response(body: "t")
            case "/latest/meta-data/iam/security-credentials/": return TestHTTPServer.Response(body: "role")
            default: return .json(AWSTestSupport.credentialJSON(keyId: "AKIDIMDS"))
            }
        }
    }

    private func chain(_ env: [String: String]) throws -> DefaultCredentialChain {
        DefaultCredentialChain(environment: env, httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger)
    }

    private func sharedFiles() throws -> [String: String] {
        let dir = temp.path
        try AWSTestSupport.write("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n", to: dir + "/credentials")
        return ["AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials"]
    }

    /// An IMDS out of reach on an EC2 instance is a failing source (retried), not none: otherwise
    /// `ses.transport = auto` would settle on the outbox for good. Elsewhere, or at a configured endpoint,
    /// no connection still means no IMDS.
    @Test func anUnreachableIMDSFailsOnlyOnAnEC2Instance() {
        let standard = InstanceMetadataCredentialProvider.defaultEndpoint
        #expect(DefaultCredentialChain.unreachableIMDSIsFailing(endpoint: standard, isEC2Host: { true }))
        #expect(!DefaultCredentialChain.unreachableIMDSIsFailing(endpoint: standard, isEC2Host: { false }))
        #expect(!DefaultCredentialChain.unreachableIMDSIsFailing(endpoint: "http://127.0.0.1:9", isEC2Host: { true }))
        // Only a connection that failed: an IMDS answering 404 (no role for this instance) is no source.
        let noRole = CredentialProviderError(.httpStatus, "IMDS: HTTP 404", httpStatus: 404)
        #expect(!DefaultCredentialChain.isConnectFailure(noRole))
        let refused = CredentialProviderError(.network, "IMDS: connectFailed", underlying: HTTPClientError(.connectFailed, "refused"))
        #expect(DefaultCredentialChain.isConnectFailure(refused))
        let files: [String: String] = ["/sys/class/dmi/id/sys_vendor": "Amazon EC2\n"]
        #expect(EC2Host.detect { files[$0] })
        #expect(EC2Host.detect { $0 == "/sys/hypervisor/uuid" ? "ec2e1916-9099-7caf-fd21-012345abcdef\n" : nil })
        #expect(!EC2Host.detect { $0 == "/sys/class/dmi/id/sys_vendor" ? "QEMU\n" : nil })
        #expect(!EC2Host.detect { _ in nil })
    }

    @Test func environmentBeatsEverythingElse() async throws {
        let server = try makeMetadataServer()
        defer { server.stop() }
        var env = try AWSTestSupport.isolatedEnvironment(try sharedFiles())
        env["AWS_ACCESS_KEY_ID"] = "AKIDENV"
        env["AWS_SECRET_ACCESS_KEY"] = "s"
        env["AWS_SESSION_TOKEN"] = "env-session"
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/nonexistent"
        env["AWS_ROLE_ARN"] = "arn:aws:iam::1:role/r"
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.baseURL + "/creds"
        let chain = try chain(env)
        #expect(await chain.resolveSource() == .environment)
        let keys = try await chain.credentials()
        #expect(keys.accessKeyId == "AKIDENV")
        #expect(keys.sessionToken == "env-session")
        #expect(server.requests.isEmpty)
    }

    @Test func webIdentityBeatsSharedFiles() async throws {
        var env = try AWSTestSupport.isolatedEnvironment(try sharedFiles())
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/nonexistent"
        env["AWS_ROLE_ARN"] = "arn:aws:iam::1:role/r"
        let chain = try chain(env)
        #expect(await chain.resolveSource() == .webIdentity)
    }

    @Test func sharedFilesBeatContainer() async throws {
        let server = try makeMetadataServer()
        defer { server.stop() }
        var env = try AWSTestSupport.isolatedEnvironment(try sharedFiles())
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.baseURL + "/creds"
        let chain = try chain(env)
        #expect(await chain.resolveSource() == .sharedFiles)
        #expect(try await chain.credentials().accessKeyId == "AKIDFILE")
        #expect(server.requests.isEmpty)
    }

    @Test func containerBeatsIMDS() async throws {
        let server = try makeMetadataServer()
        defer { server.stop() }
        var env = try AWSTestSupport.isolatedEnvironment([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/creds", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL,
        ])
        env.removeValue(forKey: "AWS_EC2_METADATA_DISABLED")
        let chain = try chain(env)
        #expect(await chain.resolveSource() == .container)
        #expect(try await chain.credentials().accessKeyId == "AKIDCONTAINER")
        #expect(server.requests.map(\.path) == ["/creds"])
    }

    @Test func cachedCredentialsAreNotRefetched() async throws {
        let server = try makeMetadataServer()
        defer { server.stop() }
        let chain = try chain(try AWSTestSupport.isolatedEnvironment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/creds"]))
        for _ in 0..<3 { #expect(try await chain.credentials().accessKeyId == "AKIDCONTAINER") }
        #expect(server.requests.count == 1)
    }
}
