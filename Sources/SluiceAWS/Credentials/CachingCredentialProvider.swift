import Foundation
import Logging
import SluiceCore

/// Caches another provider's credentials and refreshes them before they expire (botocore's windows).
///
/// - Advisory window (less than 15 minutes left, `AWSCredentials.shouldRefresh`): a refresh starts in the
///   background and the cached keys are returned at once.
/// - Mandatory window (less than 10 minutes left, `mustRefresh`) or expired: callers wait for the refresh.
/// - At most one refresh attempt per `minimumRefreshInterval` (counted from the end of the last one) while the
///   cached keys are still valid; single flight: concurrent callers share one in-flight fetch.
/// - If a refresh fails while the cached keys are unexpired, those keys are returned and the failure logged.
public actor CachingCredentialProvider: CredentialProvider {
    private let base: any CredentialProvider
    private let logger: Logger
    private let now: @Sendable () -> Date
    /// Least time between refresh attempts while unexpired keys are cached (avoids hammering a down endpoint).
    public let minimumRefreshInterval: TimeInterval

    private var cached: AWSCredentials?
    private var inflight: Task<AWSCredentials, any Error>?
    /// When the last refresh ended (or the cache was primed).
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
        let recentlyTried = lastAttempt.map { t.timeIntervalSince($0) < minimumRefreshInterval } ?? false
        if current.mustRefresh(now: t) && (inflight != nil || !recentlyTried) { return try await refresh() }
        // Advisory window: refresh in the background; the keys in hand are good for 10 more minutes at least.
        if inflight == nil && !recentlyTried { _ = startRefresh() }
        return current
    }

    /// Drops the cached keys (the service refused them): the next call fetches anew, without joining a fetch
    /// already under way (it may bring the refused keys).
    public func invalidate() async {
        cached = nil
        inflight = nil
        lastAttempt = nil
    }

    /// Many calls in flight with the same keys are refused together: only the first refusal drops them. Later
    /// ones find newer keys cached, or the fetch the first one caused under way, and leave both alone.
    public func invalidate(ifStill accessKeyId: String) async {
        if let current = cached, current.accessKeyId != accessKeyId { return }
        if cached == nil, inflight != nil { return }
        await invalidate()
    }

    /// Waits for the in-flight refresh, starting one if none runs.
    private func refresh() async throws -> AWSCredentials {
        let task = startRefresh()
        do {
            return try await task.value
        } catch {
            if let current = cached, !current.isExpired(now: now()) { return current }
            throw error
        }
    }

    private func startRefresh() -> Task<AWSCredentials, any Error> {
        if let inflight { return inflight }
        let base = self.base
        let task = Task { try await base.credentials() }
        inflight = task
        // Settles the cache whether or not anyone waits for the result (advisory refreshes run unobserved).
        Task { await self.settle(task) }
        return task
    }

    private func settle(_ task: Task<AWSCredentials, any Error>) async {
        let result = await task.result
        guard inflight == task else { return }
        inflight = nil
        lastAttempt = now()
        switch result {
        case .success(let fresh):
            cached = fresh
            logger.debug(
                "aws credentials refreshed",
                metadata: ["aws.credentials.expires": "\(fresh.expiration.map(AWSTimestamp.iso8601) ?? "never")"])
        case .failure(let error):
            logger.warning("aws credentials refresh failed", metadata: ["error": "\(Self.describe(error))"])
        }
    }

    /// Error text for logs; provider errors never carry secrets.
    static func describe(_ error: any Error) -> String {
        (error as? CredentialProviderError)?.description ?? String(describing: type(of: error))
    }
}
