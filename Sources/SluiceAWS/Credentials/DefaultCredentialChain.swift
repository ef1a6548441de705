import Foundation
import Logging
import SluiceCore
import SluiceHTTP

/// The SDK default chain: environment → web identity → shared files → container → IMDS.
///
/// The first configured link wins and is kept (as botocore does); its keys are cached and refreshed
/// through `CachingCredentialProvider`. Environment and shared-file links count only when they hold keys;
/// web identity and container count when their variables are set (a fetch failure there is an error, not a
/// reason to fall through); IMDS counts when it answers at all (a 500 or a slow answer is an error of an IMDS
/// that exists; a failed connection means there is none, except on an EC2 instance, where it is one out of
/// reach for now). A profile named by `AWS_PROFILE` that gives no usable keys is an error, not a fall-through. With no source, or an invalid configuration,
/// resolution is retried on the next call. `status()` tells "nothing configured" from "configured but failing".
public actor DefaultCredentialChain: CredentialProvider {
    /// What resolution found.
    public enum Status: Sendable, Equatable {
        /// A link supplies keys.
        case resolved(CredentialSource)
        /// Credentials are configured but give no keys yet (partial or invalid variables, unreadable files, an
        /// IMDS that answers with errors or too slowly); `reason` holds no secrets. Calls fail until they do.
        case failing(source: CredentialSource?, reason: String)
        /// Nothing is configured anywhere in the chain, and no IMDS answers.
        case notConfigured
    }

    private let environment: [String: String]
    private let httpClient: HTTPClient
    private let metadataClient: HTTPClient
    private let logger: Logger
    private let stsEndpoint: String?
    private let now: @Sendable () -> Date
    private let isEC2Host: @Sendable () -> Bool

    private var resolved: Link?
    private var resolving: Task<Result<Link?, CredentialProviderError>, Never>?
    private var resolutionError: CredentialProviderError?
    /// Why the resolved IMDS link gave no keys at resolution (nil once it has).
    private var imdsProbeError: CredentialProviderError?

    /// - Parameters:
    ///   - environment: the process environment (only the executable reads it).
    ///   - httpClient: used for STS.
    ///   - logger: debug-level diagnostics; secrets are never logged.
    ///   - stsEndpoint: overrides the regional STS URL (tests).
    ///   - metadataClient: for container/IMDS calls; default: a client with 1 s connect/read timeouts.
    ///   - isEC2Host: whether this machine is an EC2 instance (`EC2Host.detect`: its DMI or hypervisor
    ///     names), so an IMDS that cannot be reached is taken as failing, not as absent.
    public init(
        environment: [String: String], httpClient: HTTPClient, logger: Logger, stsEndpoint: String? = nil,
        metadataClient: HTTPClient? = nil, now: @escaping @Sendable () -> Date = { Date() },
        isEC2Host: @escaping @Sendable () -> Bool = { EC2Host.detect() }
    ) {
        self.isEC2Host = isEC2Host
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

    /// Resolves (or re-probes) the chain and says whether credentials are there, failing, or not configured.
    public func status() async -> Status {
        if let link = await resolve() {
            if let imdsProbeError { return .failing(source: link.source, reason: imdsProbeError.description) }
            return .resolved(link.source)
        }
        if let resolutionError { return .failing(source: nil, reason: resolutionError.description) }
        return .notConfigured
    }

    public func credentials() async throws -> AWSCredentials {
        guard let link = await resolve() else {
            throw resolutionError
                ?? CredentialProviderError(.noCredentials, "no AWS credentials found in the default chain")
        }
        let keys = try await link.provider.credentials()
        imdsProbeError = nil
        return keys
    }

    /// Drops the resolved link's cached keys (a service refused them).
    public func invalidate() async {
        await resolved?.provider.invalidate()
    }

    public func invalidate(ifStill accessKeyId: String) async {
        await resolved?.provider.invalidate(ifStill: accessKeyId)
    }

    private typealias Link = (source: CredentialSource, provider: CachingCredentialProvider)

    private func resolve() async -> Link? {
        if let resolved { return resolved }
        // Single flight: concurrent first callers share one probe (IMDS costs up to a second).
        let task: Task<Result<Link?, CredentialProviderError>, Never>
        if let running = resolving {
            task = running
        } else {
            task = Task { await self.probe() }
            resolving = task
        }
        let outcome = await task.value
        if resolving == task { resolving = nil }
        switch outcome {
        case .success(let link?):
            if resolved == nil {
                resolved = link
                resolutionError = nil
                logger.debug("aws credential source resolved", metadata: ["aws.credentials.source": "\(link.source)"])
            }
            return resolved
        case .success(nil):
            resolutionError = nil
            logger.debug("no aws credential source found")
            return nil
        case .failure(let error):
            resolutionError = error
            logger.warning("aws credential configuration invalid", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func probe() async -> Result<Link?, CredentialProviderError> {
        do {
            return .success(try await findLink())
        } catch {
            return .failure(error)
        }
    }

    private func webIdentityProvider(
        _ settings: (roleArn: String, tokenFile: String, sessionName: String?), region: String?
    ) -> WebIdentityCredentialProvider {
        WebIdentityCredentialProvider(
            roleArn: settings.roleArn, tokenFile: settings.tokenFile, roleSessionName: settings.sessionName,
            endpoint: stsEndpoint ?? WebIdentityCredentialProvider.endpoint(region: region), httpClient: httpClient)
    }

    private func cache(_ provider: any CredentialProvider) -> CachingCredentialProvider {
        CachingCredentialProvider(provider, logger: logger, now: now)
    }

    private func findLink() async throws(CredentialProviderError) -> Link? {
        let env = AWSEnvironment(environment)
        let envProvider = EnvironmentCredentialProvider(environment: environment)
        if let keys = try envProvider.load() {
            return (.environment, cache(StaticCredentialProvider(keys)))
        }
        let profileProvider = ProfileCredentialProvider(environment: environment)
        // Web identity from the environment must not depend on the shared files being readable.
        if let webIdentity = env.webIdentity {
            let region = env.region ?? (try? profileProvider.loadProfile())?.region
            return (.webIdentity, cache(webIdentityProvider(webIdentity, region: region)))
        }
        let profile = try profileProvider.loadProfile()
        if let arn = profile.roleArn, let tokenFile = profile.webIdentityTokenFile {
            let settings = (roleArn: arn, tokenFile: tokenFile, sessionName: profile.roleSessionName)
            return (.webIdentity, cache(webIdentityProvider(settings, region: env.region ?? profile.region)))
        }
        if let keys = profile.credentials {
            // Static keys never expire, but the files are read again once SES refuses them: a rotated or
            // fixed key (or a session a tool rewrites) is picked up without a restart.
            let cached = cache(profileProvider)
            await cached.prime(keys)
            return (.sharedFiles, cached)
        }
        // A profile asked for by name that gives no keys must not fall through to the container's or the
        // instance's role: mail would go out as another identity, maybe in another account.
        if env.profileIsExplicit {
            if let setting = profile.unsupportedSetting {
                throw CredentialProviderError(
                    .misconfigured,
                    "profile \(env.profile) uses \(setting), which Sluice does not follow: give it static keys or web_identity_token_file, or unset AWS_PROFILE")
            }
            // botocore, too, takes a missing `default` profile for "no files" and goes on down the chain.
            guard profile.exists || env.profile == "default" else {
                throw CredentialProviderError(.misconfigured, "profile \(env.profile) is in neither shared file (AWS_PROFILE)")
            }
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
        } catch where Self.endpointAnswered(error) {
            // An IMDS that is there but erring (500, slow, bad answer) is this host's source: keep it and retry it.
            imdsProbeError = error
            logger.warning("imds credentials failing; will retry", metadata: ["error": "\(error)"])
            return (.instanceMetadata, cache(imds))
        } catch where Self.isConnectFailure(error) && Self.unreachableIMDSIsFailing(endpoint: imds.endpoint, isEC2Host: isEC2Host) {
            // No connection, but this is an EC2 instance: its IMDS is there and out of reach for now (packets
            // dropped under load, a route not up yet at boot). Taken for absent, `ses.transport = auto` would
            // pick the outbox for the life of the process and real mail would never reach SES.
            imdsProbeError = error
            logger.warning("imds unreachable on an EC2 instance; will retry", metadata: ["error": "\(error)"])
            return (.instanceMetadata, cache(imds))
        } catch {
            logger.debug("imds credentials unavailable", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// No connection was made (a 403/404 answer, say, is an IMDS that says there is no role for us).
    static func isConnectFailure(_ error: CredentialProviderError) -> Bool {
        guard error.code == .network, let failure = error.underlying as? HTTPClientError else { return false }
        return failure.isConnectFailure
    }

    /// Whether an IMDS that took no connection is this host's failing source rather than none: on an EC2
    /// instance, at the standard address (a configured endpoint is the operator's to vouch for).
    static func unreachableIMDSIsFailing(endpoint: String, isEC2Host: () -> Bool) -> Bool {
        endpoint == InstanceMetadataCredentialProvider.defaultEndpoint && isEC2Host()
    }

    /// False when no connection was made (nothing listens: not on EC2) or the answer says there is no
    /// metadata service here: 403 (IMDS turned off for the instance, or a proxy refusing the link-local
    /// address) and 404. Any other answer, or a connection that then timed out or broke, means it exists.
    static func endpointAnswered(_ error: CredentialProviderError) -> Bool {
        if error.code == .httpStatus, let status = error.httpStatus, status == 403 || status == 404 { return false }
        guard error.code == .network else { return true }
        guard let failure = error.underlying as? HTTPClientError else { return false }
        return !failure.isConnectFailure && failure.code != .cancelled
    }
}
