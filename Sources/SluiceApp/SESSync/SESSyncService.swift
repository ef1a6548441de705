import Foundation
import Logging
import SluiceAWS
import SluiceCore

/// The suppression-list sync as the worker, the API and the CLI use it: builds the SES client on
/// first use (from `ses.*` and the credential chain; not remembered while it cannot be built) and runs push/pull/delete.
public final class SESSyncService: Sendable {
    /// Why sync cannot run.
    public struct Unavailable: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Credentials are configured but give no keys now (an IMDS outage, partial variables): every call would
    /// fail after waiting for keys, so a one-off change is refused at once; retrying later may work.
    public struct CredentialsFailing: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// What one sync run did.
    public struct Report: Sendable, Equatable, Codable {
        public var pushed: Int?
        public var pushRejected: Int?
        public var pulledListed: Int?
        public var pulledImported: Int?
    }

    let context: AppContext
    private let environment: [String: String]
    private let cache: ClientCache
    private let pushEnabled: Bool
    private let pullEnabled: Bool
    private let pushRate: Double

    public init(context: AppContext, environment: [String: String], client: SESClient? = nil) {
        self.context = context
        self.environment = environment
        cache = ClientCache(client: client)
        pushEnabled = context.configuration.bool("ses.suppression_push")
        pullEnabled = context.configuration.bool("ses.suppression_pull")
        pushRate = context.configuration.double("ses.suppression_push_rate")
    }

    /// Runs push (when `ses.suppression_push` or `forcePush`) then pull (when `ses.suppression_pull`).
    /// A failed push does not keep the pull from running (a policy that allows only listing, say); its
    /// error is thrown once the pull is done.
    public func sync(push: Bool? = nil, pull: Bool? = nil) async throws -> Report {
        let sync = try await makeSync()
        var report = Report()
        var pushFailure: (any Error)?
        if push ?? pushEnabled {
            do {
                let pushed = try await sync.push()
                report.pushed = pushed.pushed
                report.pushRejected = pushed.rejected
            } catch let cancelled as CancellationError {
                throw cancelled
            } catch {
                pushFailure = error
                context.logger.warning("ses suppression push failed; pulling all the same", metadata: ["error": "\(error)"])
            }
        }
        if pull ?? pullEnabled {
            let pulled = try await sync.pull()
            report.pulledListed = pulled.listed
            report.pulledImported = pulled.imported
        }
        if let pushFailure { throw pushFailure }
        context.logger.info("ses suppression sync done", metadata: [
            "ses_sync.pushed": "\(report.pushed.map(String.init) ?? "-")", "ses_sync.imported": "\(report.pulledImported.map(String.init) ?? "-")",
        ])
        return report
    }

    /// Deletes `address` (already normalised) from the SES account-level suppression list; false when SES did not list it.
    @discardableResult
    public func deleteRemote(_ address: String) async throws -> Bool {
        try await makeSync().deleteRemote(address)
    }

    /// Throws `Unavailable` when this configuration cannot reach SES, `CredentialsFailing` when its keys cannot
    /// be had now (one fetch; checked before any change is made).
    public func checkAvailable() async throws {
        let client = try await client()
        do {
            _ = try await client.configuration.credentials.credentials()
        } catch let error as CredentialProviderError where error.code == .noCredentials {
            // `ses.transport = ses` with nothing configured: a configuration problem, not a passing one.
            throw Unavailable(description: "ses.transport = ses, but no AWS credentials are configured")
        } catch {
            throw CredentialsFailing(description: "AWS credentials are configured but give no keys now: \(error)")
        }
    }

    private func client() async throws -> SESClient {
        let configuration = SendGateConfiguration(configuration: context.configuration)
        let environment = self.environment
        let logger = context.logger
        guard let client = await cache.client(make: { await SESClientFactory.make(configuration: configuration, environment: environment, logger: logger) }) else {
            throw Unavailable(description: "SES is not reachable from this configuration (ses.transport = outbox, or auto with no AWS credentials configured)")
        }
        return client
    }

    /// Throws `Unavailable` when this configuration cannot talk to SES (so a sync worker should not run).
    func checkReachable() async throws { _ = try await client() }

    private func makeSync() async throws -> SESSuppressionSync {
        let client = try await client()
        var sync = SESSuppressionSync(store: context.store, client: client, normalizer: context.normalizer, logger: context.logger, now: context.now)
        sync.pushRate = pushRate
        // Pages of the pull are management calls too: paced like the push.
        sync.pullRate = pushRate
        return sync
    }

    /// Builds the client on first use and keeps it; a nil answer is not kept, so the next use asks again.
    private actor ClientCache {
        private var client: SESClient?
        init(client: SESClient?) { self.client = client }
        func client(make: @Sendable () async -> SESClient?) async -> SESClient? {
            if let client { return client }
            client = await make()
            return client
        }
    }
}

/// Runs the sync every `ses.suppression_sync_seconds` (0 = off).
struct SESSyncWorker: BackgroundWorker {
    let name = "ses-sync"
    let service: SESSyncService
    let interval: Int

    func run() async {
        guard interval > 0 else { return }
        let logger = service.context.logger
        while !Task.isCancelled {
            do {
                // Several instances on one database: one syncs. Each pushing at the configured rate would
                // multiply the calls SES sees, and they would overwrite each other's cursors. Only an instance
                // that can reach SES competes: one that takes the lead and then cannot sync would hold it idle.
                try await service.checkReachable()
                if let election = service.context.store as? any LeaderElection, try await !election.holdsLeadership("ses-sync") {
                    try? await Task.sleep(for: .seconds(interval))
                    continue
                }
                _ = try await service.sync()
            } catch is CancellationError {
                return
            } catch let error as SESSyncService.Unavailable {
                logger.warning("ses suppression sync disabled", metadata: ["reason": "\(error)"])
                return
            } catch {
                logger.warning("ses suppression sync failed; will retry next interval", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(interval))
        }
    }
}

extension SESSyncService {
    /// For the CLI: a service over an already-open store (no server, no workers).
    public convenience init(configuration: SluiceConfiguration, store: any AppStore, logger: Logger, environment: [String: String]) {
        let context = AppContext(configuration: configuration, logger: logger, store: store, metrics: AppMetrics(), state: ServiceState(), now: { Date() })
        self.init(context: context, environment: environment)
    }
}
