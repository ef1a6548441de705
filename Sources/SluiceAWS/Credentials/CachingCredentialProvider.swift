import Foundation
import Logging
import SluiceCore

/// Caches another provider's credentials and refreshes them before they expire.
///
/// - Refreshes when less than 15 minutes remain (`AWSCredentials.shouldRefresh`), at most once per
///   `minimumRefreshInterval` while the cached keys are still valid.
/// - Single flight: concurrent callers share one in-flight fetch.
/// - If a refresh fails while the cached keys are unexpired, those keys are returned and the failure logged.
public actor CachingCredentialProvider: CredentialProvider {
    private let base: any CredentialProvider
    private let logger: Logger
    private let now: @Sendable () -> Date
    /// Least time between refresh attempts while unexpired keys are cached (avoids hammering a down endpoint).
    public let minimumRefreshInterval: TimeInterval

    private var cached: AWSCredentials?
    private var inflight: Task<AWSCredentials, any Error>?
    private var lastAttempt: Date?

    public init(
        _ base: any CredentialProvider, logger: Logger, minimumRefreshInterval: TimeInterval = 10,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.base = base
        self.logger = logger
        self.minimumRefreshInterval = minimumRefreshInterval
        self.now = now
    }

    /// Seeds the cache (used by the chain when probing IMDS already fetched keys).
    public func prime(_ credentials: AWSCredentials) {
        cached = credentials
        lastAttempt = now()
    }

    public func credentials() async throws -> AWSCredentials {
        let t = now()
        guard let current = cached, !current.isExpired(now: t) else { return try await refresh() }
        guard current.shouldRefresh(now: t) else { return current }
        // Valid keys beat hammering a failing endpoint (a down IMDS costs 1 s per attempt).
        if let lastAttempt, t.timeIntervalSince(lastAttempt) < minimumRefreshInterval, inflight == nil {
            return current
        }
        return try await refresh()
    }

    private func refresh() async throws -> AWSCredentials {
        let task: Task<AWSCredentials, any Error>
        if let running = inflight {
            task = running
        } else {
            let base = self.base
            task = Task { try await base.credentials() }
            inflight = task
            lastAttempt = now()
        }
        do {
            let fresh = try await task.value
            if inflight == task {
                inflight = nil
                cached = fresh
                logger.debug(
                    "aws credentials refreshed",
                    metadata: ["aws.credentials.expires": "\(fresh.expiration.map(AWSTimestamp.iso8601) ?? "never")"])
            }
            return fresh
        } catch {
            if inflight == task {
                inflight = nil
                logger.warning(
                    "aws credentials refresh failed", metadata: ["error": "\(Self.describe(error))"])
            }
            if let current = cached, !current.isExpired(now: now()) { return current }
            throw error
        }
    }

    /// Error text for logs; provider errors never carry secrets.
    static func describe(_ error: any Error) -> String {
        (error as? CredentialProviderError)?.description ?? String(describing: type(of: error))
    }
}
