import Foundation
import Logging
import SluiceCore
import SluiceHTTP

/// The SDK default chain: environment → web identity → shared files → container → IMDS.
///
/// The first configured link wins and is kept (as botocore does); its keys are cached and refreshed
/// through `CachingCredentialProvider`. Environment and shared-file links count only when they hold keys;
/// web identity and container count when their variables are set (a fetch failure there is an error, not a
/// reason to fall through); IMDS counts only when a fetch succeeds. With no source, resolution is retried
/// on the next call.
public actor DefaultCredentialChain: CredentialProvider {
    private let environment: [String: String]
    private let httpClient: HTTPClient
    private let metadataClient: HTTPClient
    private let logger: Logger
    private let stsEndpoint: String?
    private let now: @Sendable () -> Date

    private var resolved: (source: CredentialSource, provider: CachingCredentialProvider)?
    private var resolutionError: CredentialProviderError?

    /// - Parameters:
    ///   - environment: the process environment (only the executable reads it).
    ///   - httpClient: used for STS.
    ///   - logger: debug-level diagnostics; secrets are never logged.
    ///   - stsEndpoint: overrides the regional STS URL (tests).
    ///   - metadataClient: for container/IMDS calls; default: a client with 1 s connect/read timeouts.
    public init(
        environment: [String: String], httpClient: HTTPClient, logger: Logger, stsEndpoint: String? = nil,
        metadataClient: HTTPClient? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.environment = environment
        self.httpClient = httpClient
        self.logger = logger
        self.stsEndpoint = stsEndpoint
        self.now = now
        self.metadataClient = metadataClient ?? Self.makeMetadataClient() ?? httpClient
    }

    /// botocore: 1 s timeout for IMDS, no pooling (link-local endpoints, rare calls).
    static func makeMetadataClient() -> HTTPClient? {
        try? HTTPClient(configuration: HTTPClientConfiguration(
            connectTimeout: .seconds(1), readTimeout: .seconds(1), totalTimeout: .seconds(3),
            maxResponseBytes: 64 * 1024, maxIdleConnectionsPerHost: 0))
    }

    /// Which link supplies credentials, nil when none is configured (or configuration is invalid).
    public func resolveSource() async -> CredentialSource? {
        await resolve()?.source
    }

    public func credentials() async throws -> AWSCredentials {
        guard let link = await resolve() else {
            throw resolutionError
                ?? CredentialProviderError(.noCredentials, "no AWS credentials found in the default chain")
        }
        return try await link.provider.credentials()
    }

    private func resolve() async -> (source: CredentialSource, provider: CachingCredentialProvider)? {
        if let resolved { return resolved }
        do {
            guard let link = try await findLink() else {
                logger.debug("no aws credential source found")
                return nil
            }
            // Another caller may have resolved while this one awaited IMDS.
            if let resolved { return resolved }
            resolved = link
            resolutionError = nil
            logger.debug("aws credential source resolved", metadata: ["aws.credentials.source": "\(link.source)"])
            return link
        } catch {
            resolutionError = error
            logger.warning("aws credential configuration invalid", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func cache(_ provider: any CredentialProvider) -> CachingCredentialProvider {
        CachingCredentialProvider(provider, logger: logger, now: now)
    }

    private func findLink() async throws(CredentialProviderError)
        -> (source: CredentialSource, provider: CachingCredentialProvider)?
    {
        let env = AWSEnvironment(environment)
        let envProvider = EnvironmentCredentialProvider(environment: environment)
        if let keys = try envProvider.load() {
            return (.environment, cache(StaticCredentialProvider(keys)))
        }
        let profileProvider = ProfileCredentialProvider(environment: environment)
        let profile = try profileProvider.loadProfile()
        let webIdentity =
            env.webIdentity
            ?? profile.roleArn.flatMap { arn in
                profile.webIdentityTokenFile.map { (roleArn: arn, tokenFile: $0, sessionName: profile.roleSessionName) }
            }
        if let webIdentity {
            let provider = WebIdentityCredentialProvider(
                roleArn: webIdentity.roleArn, tokenFile: webIdentity.tokenFile, roleSessionName: webIdentity.sessionName,
                endpoint: stsEndpoint ?? WebIdentityCredentialProvider.endpoint(region: env.region ?? profile.region),
                httpClient: httpClient)
            return (.webIdentity, cache(provider))
        }
        if let keys = profile.credentials {
            // Shared files are re-read on refresh, but static keys never expire: cache the value.
            return (.sharedFiles, cache(StaticCredentialProvider(keys)))
        }
        if let container = try ContainerCredentialProvider.fromEnvironment(environment, httpClient: metadataClient) {
            return (.container, cache(container))
        }
        guard InstanceMetadataCredentialProvider.isEnabled(environment: environment) else { return nil }
        let imds = InstanceMetadataCredentialProvider(environment: environment, httpClient: metadataClient)
        do {
            let keys = try await imds.fetch()
            let cached = cache(imds)
            await cached.prime(keys)
            return (.instanceMetadata, cached)
        } catch {
            logger.debug("imds credentials unavailable", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
