import SluiceTestSupport
import Foundation
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceAWS

struct CredentialProfileTests {
    /// This test's own directory (the shared files, or a HOME with .aws/), removed when the test is done.
    private let temp: TestDirectory

    init() throws { temp = try AWSTestSupport.tempDirectory() }

    static let credentialsFile = """
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = default-secret

        [work]
        aws_access_key_id = AKIDWORK
        aws_secret_access_key = work-secret
        aws_session_token = work-token
        """
    static let configFile = """
        [default]
        region = eu-west-1

        [profile cfgonly]
        aws_access_key_id = AKIDCONFIG
        aws_secret_access_key = config-secret
        """

    private func environment(_ extra: [String: String]) throws -> [String: String] {
        let dir = temp.path
        try AWSTestSupport.write(Self.credentialsFile, to: dir + "/credentials")
        try AWSTestSupport.write(Self.configFile, to: dir + "/config")
        return try AWSTestSupport.isolatedEnvironment(
            ["AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials", "AWS_CONFIG_FILE": dir + "/config"].merging(extra) { $1 })
    }

    @Test func readsDefaultProfile() async throws {
        let provider = ProfileCredentialProvider(environment: try environment([:]))
        let keys = try await provider.credentials()
        #expect(keys.accessKeyId == "AKIDDEFAULT")
        #expect(keys.secretAccessKey == "default-secret")
        #expect(try provider.loadProfile().region == "eu-west-1")
    }

    @Test func awsProfileSelectsNamedProfileWithSessionToken() async throws {
        let keys = try await ProfileCredentialProvider(environment: try environment(["AWS_PROFILE": "work"])).credentials()
        #expect(keys.accessKeyId == "AKIDWORK")
        #expect(keys.sessionToken == "work-token")
    }

    @Test func fallsBackToConfigFileProfile() async throws {
        let keys = try await ProfileCredentialProvider(environment: try environment(["AWS_PROFILE": "cfgonly"])).credentials()
        #expect(keys.accessKeyId == "AKIDCONFIG")
    }

    @Test func readsFilesUnderHomeByDefault() async throws {
        let home = temp.path
        try FileManager.default.createDirectory(atPath: home + "/.aws", withIntermediateDirectories: true)
        try AWSTestSupport.write(Self.credentialsFile, to: home + "/.aws/credentials")
        let keys = try await ProfileCredentialProvider(environment: ["HOME": home]).credentials()
        #expect(keys.accessKeyId == "AKIDDEFAULT")
    }

    @Test func missingProfileHasNoCredentials() async throws {
        let provider = ProfileCredentialProvider(environment: try environment(["AWS_PROFILE": "absent"]))
        let error = await #expect(throws: CredentialProviderError.self) { try await provider.credentials() }
        #expect(error?.code == .noCredentials)
    }

    @Test func chainPrefersEnvironmentOverFiles() async throws {
        let env = try environment(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret"])
        let chain = DefaultCredentialChain(environment: env, httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger)
        #expect(await chain.resolveSource() == .environment)
        #expect(try await chain.credentials().accessKeyId == "AKIDENV")
    }

    @Test func chainUsesSharedFilesWithoutEnvironmentKeys() async throws {
        let chain = DefaultCredentialChain(
            environment: try environment(["AWS_PROFILE": "work"]), httpClient: try AWSTestSupport.httpClient(),
            logger: AWSTestSupport.logger)
        #expect(await chain.resolveSource() == .sharedFiles)
        #expect(try await chain.credentials().accessKeyId == "AKIDWORK")
    }

    @Test func chainReportsNoSourceWhenNothingIsConfigured() async throws {
        let chain = DefaultCredentialChain(
            environment: try AWSTestSupport.isolatedEnvironment(), httpClient: try AWSTestSupport.httpClient(),
            logger: AWSTestSupport.logger)
        #expect(await chain.resolveSource() == nil)
        let error = await #expect(throws: CredentialProviderError.self) { try await chain.credentials() }
        #expect(error?.code == .noCredentials)
    }

    @Test func partialEnvironmentKeysAreAConfigurationError() async throws {
        let env = try environment(["AWS_ACCESS_KEY_ID": "AKIDENV"])
        let chain = DefaultCredentialChain(environment: env, httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger)
        #expect(await chain.resolveSource() == nil)
        let error = await #expect(throws: CredentialProviderError.self) { try await chain.credentials() }
        #expect(error?.code == .misconfigured)
    }

    @Test func credentialDescriptionsRedactSecrets() async throws {
        let keys = try await ProfileCredentialProvider(environment: try environment(["AWS_PROFILE": "work"])).credentials()
        #expect(!"\(keys)".contains("work-secret"))
        #expect(!"\(keys)".contains("work-token"))
    }
}
