import SluiceTestSupport
import Foundation
import Synchronization
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceAWS

struct CredentialIMDSTests {
    static let rolePath = "/latest/meta-data/iam/security-credentials/"

    /// An IMDSv2 fake: the token PUT must carry the TTL header; GETs must carry the token (unless v1 allowed).
    /// `tokenFailures`: how many token PUTs answer 500 first.
    private func makeServer(tokenStatus: Int = 200, acceptV1: Bool = false, tokenFailures: Int = 0) throws -> TestHTTPServer {
        let failures = Countdown(tokenFailures)
        return try TestHTTPServer { request in
            if request.path == "/latest/api/token", failures.take() {
                return TestHTTPServer.Response(status: 500)
            }
            if request.path == "/latest/api/token" {
                guard request.method == "PUT", request.header("X-aws-ec2-metadata-token-ttl-seconds") == "21600" else {
                    return TestHTTPServer.Response(status: 400)
                }
                return tokenStatus == 200
                    ? TestHTTPServer.Response(body: "imds-token-1") : TestHTTPServer.Response(status: tokenStatus)
            }
            let token = request.header("X-aws-ec2-metadata-token")
            guard request.method == "GET", token == "imds-token-1" || (acceptV1 && token == nil) else {
                return TestHTTPServer.Response(status: 401)
            }
            switch request.path {
            case Self.rolePath: return TestHTTPServer.Response(body: "sluice-role\n")
            case Self.rolePath + "sluice-role": return .json(AWSTestSupport.credentialJSON(keyId: "AKIDIMDS"))
            default: return TestHTTPServer.Response(status: 404)
            }
        }
    }

    private func environment(_ server: TestHTTPServer, _ extra: [String: String] = [:]) throws -> [String: String] {
        var env = try AWSTestSupport.isolatedEnvironment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL])
        env.removeValue(forKey: "AWS_EC2_METADATA_DISABLED")
        return env.merging(extra) { $1 }
    }

    @Test func fetchesTokenThenRoleThenCredentials() async throws {
        let server = try makeServer()
        defer { server.stop() }
        let chain = DefaultCredentialChain(
            environment: try environment(server), httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger)
        #expect(await chain.resolveSource() == .instanceMetadata)
        let keys = try await chain.credentials()
        #expect(keys.accessKeyId == "AKIDIMDS")
        #expect(keys.sessionToken == "token-AKIDIMDS")
        // Resolution fetched once and primed the cache: exactly one PUT + two GETs.
        #expect(server.requests.map { "\($0.method) \($0.path)" } == [
            "PUT /latest/api/token", "GET \(Self.rolePath)", "GET \(Self.rolePath)sluice-role",
        ])
    }

    @Test func concurrentResolutionProbesIMDSOnce() async throws {
        let server = try makeServer()
        defer { server.stop() }
        let chain = DefaultCredentialChain(
            environment: try environment(server), httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger)
        let sources = await withTaskGroup(of: CredentialSource?.self) { group in
            for _ in 0..<8 { group.addTask { await chain.resolveSource() } }
            return await group.reduce(into: [CredentialSource?]()) { $0.append($1) }
        }
        #expect(sources == Array(repeating: .instanceMetadata, count: 8))
        #expect(server.requests.filter { $0.method == "PUT" }.count == 1)
    }

    @Test func forbiddenTokenFallsBackToIMDSv1() async throws {
        let server = try makeServer(tokenStatus: 403, acceptV1: true)
        defer { server.stop() }
        let provider = InstanceMetadataCredentialProvider(environment: try environment(server), httpClient: try AWSTestSupport.httpClient())
        #expect(try await provider.credentials().accessKeyId == "AKIDIMDS")
        #expect(server.requests.dropFirst().allSatisfy { $0.header("X-aws-ec2-metadata-token") == nil })
    }

    @Test func forbiddenTokenFailsWhenV1IsDisabled() async throws {
        let server = try makeServer(tokenStatus: 403, acceptV1: true)
        defer { server.stop() }
        let provider = InstanceMetadataCredentialProvider(
            environment: try environment(server, ["AWS_EC2_METADATA_V1_DISABLED": "true"]),
            httpClient: try AWSTestSupport.httpClient())
        let error = await #expect(throws: CredentialProviderError.self) { try await provider.credentials() }
        #expect(error?.code == .httpStatus)
        #expect(error?.httpStatus == 403)
        #expect(server.requests.count == 1)
    }

    @Test func badRequestOnTokenIsAnError() async throws {
        let server = try makeServer(tokenStatus: 400, acceptV1: true)
        defer { server.stop() }
        let provider = InstanceMetadataCredentialProvider(environment: try environment(server), httpClient: try AWSTestSupport.httpClient())
        let error = await #expect(throws: CredentialProviderError.self) { try await provider.credentials() }
        #expect(error?.httpStatus == 400)
    }

    @Test func unreachableIMDSMeansNoSource() async throws {
        var env = try AWSTestSupport.isolatedEnvironment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": try AWSTestSupport.closedPortURL()])
        env.removeValue(forKey: "AWS_EC2_METADATA_DISABLED")
        let chain = DefaultCredentialChain(environment: env, httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger)
        #expect(await chain.resolveSource() == nil)
        #expect(await chain.status() == .notConfigured)
    }

    /// 403 is what an instance with IMDS turned off answers (and what a proxy refusing the link-local
    /// address answers): no metadata service, so `auto` sends to the outbox instead of failing every call.
    @Test func imdsRefusingEverythingWith403MeansNoSource() async throws {
        let server = try TestHTTPServer { _ in TestHTTPServer.Response(status: 403) }
        defer { server.stop() }
        let chain = DefaultCredentialChain(
            environment: try environment(server), httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger)
        #expect(await chain.status() == .notConfigured)
        #expect(await chain.resolveSource() == nil)
    }

    @Test func erroringIMDSIsAConfiguredSourceThatIsRetried() async throws {
        let server = try makeServer(tokenFailures: 1)
        defer { server.stop() }
        let chain = DefaultCredentialChain(
            environment: try environment(server), httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger)
        guard case .failing(let source, let reason) = await chain.status() else {
            Issue.record("an IMDS answering 500 is configured but failing")
            return
        }
        #expect(source == .instanceMetadata)
        #expect(reason.contains("500"))
        #expect(try await chain.credentials().accessKeyId == "AKIDIMDS")
        #expect(await chain.status() == .resolved(.instanceMetadata))
    }

    @Test func slowIMDSIsAConfiguredSource() async throws {
        let server = try TestHTTPServer { _ in
            Thread.sleep(forTimeInterval: 1.5)  // beyond the metadata client's 1 s read timeout
            return TestHTTPServer.Response(status: 500)
        }
        defer { server.stop() }
        let chain = DefaultCredentialChain(
            environment: try environment(server), httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger)
        guard case .failing(.instanceMetadata, _) = await chain.status() else {
            Issue.record("a slow IMDS is configured but failing")
            return
        }
    }

    /// A token PUT whose answer never comes (a container behind a bridge, hop limit 1) falls back to IMDSv1,
    /// as botocore does; with v1 disabled it is a failing source.
    @Test func aTokenRequestWithoutAnswerFallsBackToV1() async throws {
        let server = try TestHTTPServer { request in
            if request.path == "/latest/api/token" {
                Thread.sleep(forTimeInterval: 1.5)  // beyond the metadata client's 1 s read timeout
                return TestHTTPServer.Response(body: "too-late")
            }
            switch request.path {
            case Self.rolePath: return TestHTTPServer.Response(body: "sluice-role\n")
            case Self.rolePath + "sluice-role": return .json(AWSTestSupport.credentialJSON(keyId: "AKIDV1"))
            default: return TestHTTPServer.Response(status: 404)
            }
        }
        defer { server.stop() }
        let chain = DefaultCredentialChain(
            environment: try environment(server), httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger)
        #expect(try await chain.credentials().accessKeyId == "AKIDV1")
        let strict = DefaultCredentialChain(
            environment: try environment(server, ["AWS_EC2_METADATA_V1_DISABLED": "true"]), httpClient: try AWSTestSupport.httpClient(),
            logger: AWSTestSupport.logger)
        guard case .failing(.instanceMetadata, _) = await strict.status() else {
            Issue.record("without v1 a token that never comes is a failing IMDS")
            return
        }
    }

    @Test func partialEnvironmentKeysAreFailingNotAbsent() async throws {
        let env = try AWSTestSupport.isolatedEnvironment(["AWS_ACCESS_KEY_ID": "AKIDPARTIAL"])
        let chain = DefaultCredentialChain(environment: env, httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger)
        guard case .failing(nil, _) = await chain.status() else {
            Issue.record("partial keys are a configuration error")
            return
        }
        await #expect(throws: CredentialProviderError.self) { try await chain.credentials() }
    }

    @Test func disabledIMDSIsNeverContacted() async throws {
        let server = try makeServer()
        defer { server.stop() }
        let env = try environment(server, ["AWS_EC2_METADATA_DISABLED": "true"])
        let chain = DefaultCredentialChain(environment: env, httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger)
        #expect(await chain.resolveSource() == nil)
        #expect(server.requests.isEmpty)
    }
}

/// Says yes the first `count` times it is asked (scripted failures shared with a server's handler).
final class Countdown: Sendable {
    private let left: Atomic<Int>
    init(_ count: Int) { left = Atomic(count) }
    func take() -> Bool { left.subtract(1, ordering: .relaxed).oldValue > 0 }
}
