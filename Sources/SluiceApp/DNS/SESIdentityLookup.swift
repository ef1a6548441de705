import Foundation
import Logging
import SluiceAWS
import SluiceCore
import Synchronization

/// Asks SES about the identity behind a DNS check: one `GetEmailIdentity` call, never retried, bounded in
/// time. Every failure comes back as an outcome, never as an error: the DNS check goes on whatever SES does.
final class SESIdentityLookup: Sendable {
    /// Upper bound of one call whatever `ses.request_timeout_seconds` says: a DNS check (and an API client) waits for it.
    static let maxTimeout: TimeInterval = 10
    /// Slack past the HTTP timeout before the lookup is abandoned: covers what that timeout does not
    /// (name resolution, which getaddrinfo cannot interrupt; a credential provider).
    static let deadlineSlack: TimeInterval = 2
    /// How long "SES is not usable here" is remembered: deciding it can cost an IMDS probe (up to a second)
    /// that an API serving many checks should not pay each time.
    static let unavailableMemory: TimeInterval = 60
    static let unavailableReason = "SES is not configured (ses.transport = outbox, or auto with no AWS credentials)"

    private let gate: SendGateConfiguration
    private let environment: [String: String]
    private let logger: Logger
    private let clients = ClientCache()

    /// The HTTP bound of one call: `ses.request_timeout_seconds`, at most `maxTimeout`.
    var timeout: TimeInterval { gate.requestTimeout }

    init(configuration: SluiceConfiguration, environment: [String: String], logger: Logger) {
        var gate = SendGateConfiguration(configuration: configuration)
        gate.requestTimeout = min(max(gate.requestTimeout, 0.1), Self.maxTimeout)
        self.gate = gate
        self.environment = environment
        self.logger = logger
    }

    /// `GetEmailIdentity` for `domain` in `region` (the configured region when nil).
    func lookup(domain: String, region: String?) async -> SESIdentityFindings.Outcome {
        let region = region ?? gate.region
        // The region becomes part of a host name (email.<region>.amazonaws.com): refuse anything else
        // rather than resolve a name an API caller made up.
        guard AWSRegionName.isValid(region) else { return .skipped("'\(region)' is not an AWS region name: SES not asked") }
        let settings = { var settings = gate; settings.region = region; return settings }()
        let environment = self.environment
        let logger = self.logger
        guard
            let client = await clients.client(region: region, now: Date(), make: {
                await SESClientFactory.make(configuration: settings, environment: environment, logger: logger)
            })
        else { return .skipped(Self.unavailableReason) }
        let limit = Duration.seconds(timeout + Self.deadlineSlack)
        let outcome = await Self.firstOf(limit: limit, timedOut: .failed(SESError(
            .network, "no answer within \(Int((timeout + Self.deadlineSlack).rounded())) s", retry: .retryable))
        ) {
            do throws(SESError) {
                return .answered(try await client.getEmailIdentity(domain))
            } catch {
                return .failed(error)
            }
        }
        if case .failed(let error) = outcome {
            logger.debug("ses identity lookup failed", metadata: [
                "ses.operation": "GetEmailIdentity", "error": "\(error.code)", "http.status": "\(error.httpStatus.map(String.init) ?? "-")",
            ])
        }
        return outcome
    }


    /// `work`'s result, or `timedOut` after `limit`, whichever comes first. The loser is cancelled and left to
    /// finish on its own: a task group would wait for it, and a blocked name lookup does not end on cancel.
    private static func firstOf(
        limit: Duration, timedOut: SESIdentityFindings.Outcome, _ work: @escaping @Sendable () async -> SESIdentityFindings.Outcome
    ) async -> SESIdentityFindings.Outcome {
        let race = Race()
        return await withCheckedContinuation { continuation in
            race.begin(continuation)
            race.add(Task { race.finish(await work()) })
            race.add(Task {
                try? await Task.sleep(for: limit)
                race.finish(timedOut)
            })
        }
    }

    /// The state of one `firstOf`: the continuation, resumed once, and the tasks to cancel then.
    private final class Race: Sendable {
        private struct State {
            var continuation: CheckedContinuation<SESIdentityFindings.Outcome, Never>?
            var finished = false
            var tasks: [Task<Void, Never>] = []
        }
        private let state = Mutex(State())

        func begin(_ continuation: CheckedContinuation<SESIdentityFindings.Outcome, Never>) {
            state.withLock { $0.continuation = continuation }
        }

        /// Keeps `task` to cancel at the end, or cancels it now when the race is already over.
        func add(_ task: Task<Void, Never>) {
            let over = state.withLock { state in
                if !state.finished { state.tasks.append(task) }
                return state.finished
            }
            if over { task.cancel() }
        }

        /// The first call resumes the caller and cancels the other tasks; later calls do nothing.
        func finish(_ outcome: SESIdentityFindings.Outcome) {
            let taken = state.withLock { state -> (CheckedContinuation<SESIdentityFindings.Outcome, Never>, [Task<Void, Never>])? in
                guard !state.finished, let continuation = state.continuation else { return nil }
                state.finished = true
                defer { state.tasks = [] }
                return (continuation, state.tasks)
            }
            guard let (continuation, tasks) = taken else { return }
            continuation.resume(returning: outcome)
            for task in tasks { task.cancel() }
        }
    }

    /// One client per region asked, built on first use. "Not usable" is remembered for `unavailableMemory`
    /// only, so credentials added later are picked up without a restart.
    private actor ClientCache {
        private enum Entry {
            case client(SESClient)
            case unavailable(since: Date)
        }
        /// Regions kept; API callers choose the region, so the cache must not grow with them.
        private static let maxRegions = 8
        private var entries: [String: Entry] = [:]

        func client(region: String, now: Date, make: @Sendable () async -> SESClient?) async -> SESClient? {
            switch entries[region] {
            case .client(let client)?:
                return client
            case .unavailable(let since)? where now.timeIntervalSince(since) < SESIdentityLookup.unavailableMemory:
                return nil
            default:
                break
            }
            let made = await make()
            if entries[region] == nil && entries.count >= Self.maxRegions { return made }
            entries[region] = made.map(Entry.client) ?? .unavailable(since: now)
            return made
        }
    }
}
