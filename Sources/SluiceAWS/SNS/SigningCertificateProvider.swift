import Foundation
import Logging
import SluiceCore
import SluiceCrypto
import SluiceHTTP

/// Supplies SNS signing certificates: memory LRU → durable store → HTTPS fetch, one fetch per URL at a time.
///
/// Only certificates that passed every check are cached; a failed fetch is never cached as a verdict: a short
/// `failureBackoff` stops a storm of retries for the same URL, answering during it what the fetch answered
/// when that will never change (no such certificate, wrong name, weak key) and "retry later" otherwise.
/// Fetches are charged to the client that asked (`fetchGate`), so made-up URLs from one client cannot
/// hold every slot.
public actor SigningCertificateProvider {
    /// Fetch, cache and acceptance settings.
    public nonisolated let configuration: SigningCertificateProviderConfiguration
    /// The policy every certificate URL is re-checked against.
    public nonisolated let policy: SNSSecurityPolicy
    /// Which client may start a fetch; the endpoint reports verified messages to it.
    public nonisolated let fetchGate: CertificateFetchGate
    private let store: (any SigningCertificateStore)?
    private let client: HTTPClient
    private let logger: Logger
    private let now: @Sendable () -> Date

    private var cache: SigningCertificateCache
    /// The single flight per URL: every caller for a URL awaits the same task.
    private var inFlight: [String: Task<Result<X509Certificate, SNSVerificationError>, Never>] = [:]
    private var waiters: [String: Int] = [:]
    /// Recent failures per URL: until when to answer without fetching, and, for a failure that will never
    /// succeed, the error to answer with.
    private var failedUntil: [String: (until: Date, permanent: SNSVerificationError?)] = [:]

    /// - Parameters:
    ///   - policy: re-checked here on every call, even though the endpoint checked the URL already.
    ///   - store: the durable second-level cache; nil keeps certificates in memory only.
    ///   - now: the clock for cache expiry and backoff (tests inject one).
    /// - Throws: `.invalidConfiguration` when the policy or the TLS trust settings are unusable.
    public init(
        configuration: SigningCertificateProviderConfiguration = SigningCertificateProviderConfiguration(),
        policy: SNSSecurityPolicy, store: (any SigningCertificateStore)? = nil, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(SNSVerificationError) {
        do {
            try policy.validate()
        } catch {
            throw SNSVerificationError.from(error, default: .invalidConfiguration)
        }
        do {
            client = try HTTPClient(configuration: HTTPClientConfiguration(
                extraCAFile: configuration.extraCAFile, trustSystemStore: configuration.trustSystemStore,
                connectTimeout: min(.seconds(5), configuration.fetchTimeout), readTimeout: configuration.fetchTimeout,
                totalTimeout: configuration.fetchTimeout, maxResponseBytes: configuration.maxCertificateBytes,
                maxResponseHeadBytes: 16 * 1024, maxIdleConnectionsPerHost: 0, followRedirects: false))
        } catch {
            throw SNSVerificationError(.invalidConfiguration, "cannot build the HTTPS client: \(error.code)", underlying: error)
        }
        self.configuration = configuration
        self.policy = policy
        self.store = store
        self.logger = logger
        self.now = now
        fetchGate = CertificateFetchGate(settings: configuration.clientAdmission)
        cache = SigningCertificateCache(capacity: configuration.maxCachedCertificates)
    }

    /// The checked certificate for `url`, from cache, store or network.
    /// - Parameter remoteAddress: the requester as the server reports its peer; a fetch it starts is
    ///   charged to it (nil: only the global limit applies).
    /// - Throws: `.certificateURLRejected` (nothing fetched), `.certificateFetchFailed` (transient, except
    ///   when the host answers that there is no such certificate), `.certificateFetchHeld` (transient: this
    ///   client may not start a fetch now), `.certificateInvalid`,
    ///   `.certificateNameMismatch`.
    public func certificate(
        for url: String, topicArn: String, requestedBy remoteAddress: String? = nil
    ) async throws(SNSVerificationError) -> X509Certificate {
        do {
            try policy.checkCertificateURL(url, topicArn: topicArn)
        } catch {
            throw SNSVerificationError.from(error, default: .certificateURLRejected)
        }
        let now = self.now()
        if let cached = cache.get(url, now: now) {
            // Cheap, and keeps the name rule tied to this caller's topic region.
            try SigningCertificateCheck.check(cached, topicArn: topicArn, configuration: configuration)
            return cached
        }
        let task: Task<Result<X509Certificate, SNSVerificationError>, Never>
        if let running = inFlight[url] {
            task = running
        } else {
            if let failed = failedUntil[url] {
                guard now >= failed.until else {
                    if let permanent = failed.permanent { throw permanent }
                    throw SNSVerificationError(
                        .certificateFetchFailed, "fetching \(SNSMessageError.quote(url)) failed moments ago; retry later")
                }
                failedUntil[url] = nil
            }
            guard inFlight.count < max(1, configuration.maxConcurrentFetches) else {
                throw SNSVerificationError(.certificateFetchFailed, "too many certificate fetches in progress; retry later")
            }
            let client = remoteAddress.flatMap(CertificateFetchClient.init(remoteAddress:))
            let refusal = fetchGate.update { admission in
                let refusal = admission.refusal(for: client, now: now)
                if refusal == nil { admission.started(by: client, now: now) }
                return refusal
            }
            if let refusal { throw Self.error(for: refusal, now: now) }
            task = Task { await self.resolve(url: url, topicArn: topicArn, client: client) }
            inFlight[url] = task
        }
        waiters[url, default: 0] += 1
        let result = await task.value
        waiters[url, default: 1] -= 1
        if waiters[url] == 0 { waiters[url] = nil }
        let certificate = try result.get()
        try SigningCertificateCheck.check(certificate, topicArn: topicArn, configuration: configuration)
        return certificate
    }

    private static func error(for refusal: CertificateFetchAdmission.Refusal, now: Date) -> SNSVerificationError {
        switch refusal {
        case .busy:
            SNSVerificationError(.certificateFetchHeld, "this client already has certificate fetches running; retry later")
        case .penalised(let until):
            SNSVerificationError(
                .certificateFetchHeld,
                "a certificate URL this client sent named no SNS certificate; it starts no fetch for another "
                    + "\(Int(until.timeIntervalSince(now).rounded(.up))) s; retry later")
        }
    }

    /// Upper bound for `failureBackoff`, whatever the configuration says.
    public static let maxFailureBackoff: TimeInterval = 10

    /// Callers currently waiting on the fetch of `url` (tests use it to line up a single-flight race).
    func waiterCount(for url: String) -> Int { waiters[url] ?? 0 }

    /// Certificates in the memory cache.
    var cachedCount: Int { cache.count }

    // MARK: The one flight per URL

    private func resolve(
        url: String, topicArn: String, client: CertificateFetchClient?
    ) async -> Result<X509Certificate, SNSVerificationError> {
        let result = await resolve(url: url, topicArn: topicArn)
        let now = self.now()
        let foundNoCertificate = if case .failure(let error) = result { !error.isTransient } else { false }
        let penaltyEnd = fetchGate.update { $0.finished(by: client, foundNoCertificate: foundNoCertificate, now: now) }
        if let penaltyEnd, let client {
            logger.debug(
                "SNS certificate fetches held back for a client whose certificate URL named none",
                metadata: [
                    "sns.client": "\(client)", "sns.cert_url": "\(SNSMessageError.quote(url))",
                    "sns.penalty_seconds": "\(Int(penaltyEnd.timeIntervalSince(now)))",
                ])
        }
        return result
    }

    private func resolve(url: String, topicArn: String) async -> Result<X509Certificate, SNSVerificationError> {
        defer { inFlight[url] = nil }
        if let stored = await loadFromStore(url: url, topicArn: topicArn) {
            let now = self.now()
            let expiresAt = min(stored.expiresAt, now + configuration.cacheTTL, stored.certificate.notAfter)
            cache.put(url, certificate: stored.certificate, expiresAt: expiresAt, now: now)
            return .success(stored.certificate)
        }
        do {
            let (certificate, pem) = try await fetch(url: url, topicArn: topicArn)
            let now = self.now()
            let expiresAt = min(now + configuration.cacheTTL, certificate.notAfter)
            cache.put(url, certificate: certificate, expiresAt: expiresAt, now: now)
            if expiresAt > now, let store { await store.save(url: url, pem: pem, expiresAt: expiresAt) }
            logger.debug("fetched SNS signing certificate", metadata: ["sns.cert_url": "\(SNSMessageError.quote(url))"])
            return .success(certificate)
        } catch {
            noteFailure(url, error)
            logger.debug(
                "SNS signing certificate fetch failed",
                metadata: ["sns.cert_url": "\(SNSMessageError.quote(url))", "error.code": "\(error.code)"])
            return .failure(error)
        }
    }

    private func loadFromStore(url: String, topicArn: String) async -> (certificate: X509Certificate, expiresAt: Date)? {
        guard let store, let stored = await store.load(url: url), now() < stored.expiresAt else { return nil }
        // The store is ours, but its rows outlive configuration changes: check again before trusting.
        guard let certificate = try? SigningCertificateCheck.parse(stored.pem),
            (try? SigningCertificateCheck.check(certificate, topicArn: topicArn, configuration: configuration)) != nil
        else {
            logger.debug("ignoring unusable stored SNS certificate", metadata: ["sns.cert_url": "\(SNSMessageError.quote(url))"])
            return nil
        }
        return (certificate, stored.expiresAt)
    }

    private func fetch(url: String, topicArn: String) async throws(SNSVerificationError) -> (X509Certificate, [UInt8]) {
        let shown = SNSMessageError.quote(url)
        let response: HTTPClientResponse
        do {
            response = try await client.execute(
                HTTPClientRequest(method: "GET", url: url, maxResponseBytes: configuration.maxCertificateBytes))
        } catch let error as HTTPClientError {
            throw SNSVerificationError(.certificateFetchFailed, "fetching \(shown) failed (\(error.code))", underlying: error)
        } catch {
            throw SNSVerificationError(.certificateFetchFailed, "fetching \(shown) failed", underlying: error)
        }
        // Any non-200 fails, 3xx included: redirects are never followed. The host says there is no such
        // certificate (403/404/410): no retry will find one, and a forger's made-up URL gets 403, not 503.
        guard response.status == 200 else {
            let missing = [403, 404, 410].contains(response.status)
            throw SNSVerificationError(
                .certificateFetchFailed, "fetching \(shown) returned HTTP \(response.status)", isTransient: !missing,
                httpStatus: response.status)
        }
        let certificate = try SigningCertificateCheck.parse(response.body)
        try SigningCertificateCheck.check(certificate, topicArn: topicArn, configuration: configuration)
        return (certificate, response.body)
    }

    /// Starts the backoff for `url`; during it the same answer comes back without a fetch (a permanent
    /// failure keeps its 403, a transient one is a 503).
    private func noteFailure(_ url: String, _ error: SNSVerificationError) {
        // Clamped so that no configuration turns the backoff into a cached verdict.
        let backoff = min(configuration.failureBackoff, Self.maxFailureBackoff)
        guard backoff > 0 else { return }
        let now = self.now()
        if failedUntil.count >= 1024 {
            failedUntil = failedUntil.filter { $0.value.until > now }
            if failedUntil.count >= 1024 { failedUntil.removeAll() }
        }
        failedUntil[url] = (now + backoff, error.isTransient ? nil : error)
    }
}
