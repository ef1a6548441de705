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

        [profile assumed]
        role_arn = arn:aws:iam::123456789012:role/sender
        source_profile = work

        [profile sso]
        sso_session = corp
        sso_account_id = 123456789012
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

    /// A profile named by AWS_PROFILE that gives no keys Sluice can use is an error, never a reason to
    /// fall through to the container's or instance's role (another identity).
    @Test(arguments: [("assumed", "source_profile"), ("sso", "sso_session"), ("absent", "neither shared file")])
    func anExplicitProfileWithoutUsableKeysIsAConfigurationError(profile: String, named: String) async throws {
        let chain = DefaultCredentialChain(
            environment: try environment(["AWS_PROFILE": profile]), httpClient: try AWSTestSupport.httpClient(),
            logger: AWSTestSupport.logger, isEC2Host: { true })
        #expect(await chain.resolveSource() == nil)
        let error = await #expect(throws: CredentialProviderError.self) { try await chain.credentials() }
        #expect(error?.code == .misconfigured)
        #expect(error?.message.contains(named) == true, "\(error?.message ?? "")")
        guard case .failing(nil, _) = await chain.status() else {
            Issue.record("configured but failing, so sends wait rather than go out as another identity")
            return
        }
    }

    /// Refused keys from the shared files are read again: a fixed or rotated key is used without a restart.
    @Test func sharedFileKeysAreReadAgainAfterARefusal() async throws {
        let env = try environment(["AWS_PROFILE": "work"])
        let chain = DefaultCredentialChain(environment: env, httpClient: try AWSTestSupport.httpClient(), logger: AWSTestSupport.logger)
        #expect(try await chain.credentials().accessKeyId == "AKIDWORK")
        try AWSTestSupport.write(Self.credentialsFile.replacingOccurrences(of: "AKIDWORK", with: "AKIDROTATED"), to: temp.path + "/credentials")
        #expect(try await chain.credentials().accessKeyId == "AKIDWORK", "kept until refused")
        await chain.invalidate(ifStill: "AKIDWORK")
        #expect(try await chain.credentials().accessKeyId == "AKIDROTATED")
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
