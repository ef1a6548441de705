import Synchronization
import Foundation
import Logging
import SluiceCore
import SluiceCrypto
import SluiceHTTP
import SluicePostgres
import SluiceStore

/// The whole service: store, HTTP server, routes and background workers, wired from configuration.
/// The executable and the end-to-end tests both build it through `Application.build`.
public final class Application: Sendable {
    public let context: AppContext
    public let server: HTTPServer
    public let routes: [RouteDescription]
    private let workers: [any BackgroundWorker]
    private let workerTask: WorkerTask
    private let shutdownLatch = ShutdownLatch()

    /// Opens (and migrates) the store and builds the routes; nothing listens until `start()`.
    public static func build(
        configuration: SluiceConfiguration,
        logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> Application {
        // Once, here: `config check` prints the same list, and route groups do not repeat it.
        for warning in configuration.warnings { logger.warning("\(warning)") }
        // Before the store: a certificate that does not load should not cost a migration first.
        let tls = try loadTLSIdentity(configuration: configuration)
        let store = try openStore(configuration: configuration, logger: logger)
        let metrics = AppMetrics()
        let context = AppContext(configuration: configuration, logger: logger, store: store, metrics: metrics, state: ServiceState(), now: now)
        let sesSync = SESSyncService(context: context, environment: environment)
        var router = Router()
        ProbeRoutes.register(on: &router, context: context)
        DNSRoutes.register(on: &router, context: context, environment: environment)
        MonitoringRoutes.register(on: &router, context: context)
        SuppressionRoutes.register(on: &router, context: context, sesSync: sesSync)
        SendRoutes.register(on: &router, context: context)
        UnsubscribeRoutes.register(on: &router, context: context)
        try SNSRoutes.register(on: &router, context: context)
        var workers: [any BackgroundWorker] = [
            MaintenanceWorker(context: context),
            MonitorWorker(context: context, environment: environment),
            SendWorker(context: context, environment: environment),
            SESSyncWorker(service: sesSync, interval: configuration.int("ses.suppression_sync_seconds")),
        ]
        if let audit = context.store as? any AuditCopyStore {
            workers.append(AuditCopyCompressor(
                store: audit, logger: context.logger, level: SNSEndpointSettings(configuration: configuration).archiveCompressionLevel))
        }
        if let tls {
            workers.append(TLSReloadWorker(identity: tls, context: context, interval: .seconds(configuration.double("http.tls_reload_seconds"))))
        }
        return Application(context: context, router: router, workers: workers, tls: tls)
    }

    /// The HTTPS certificate and key when `http.tls_cert_file` is set (nil: plain HTTP).
    /// - Throws: `CryptoError` (`.tlsConfiguration`) naming the file that does not load.
    public static func loadTLSIdentity(configuration: SluiceConfiguration) throws(CryptoError) -> TLSServerIdentity? {
        let certificate = configuration.string("http.tls_cert_file")
        guard !certificate.isEmpty else { return nil }
        return try TLSServerIdentity(certificateFile: certificate, keyFile: configuration.string("http.tls_key_file"))
    }

    /// The configured database for messages: the PostgreSQL host and database (no credentials) or the SQLite path.
    public static func databaseName(configuration: SluiceConfiguration) -> String {
        let url = configuration.string("database.url")
        return url.isEmpty ? configuration.string("database.path") : PostgresStoreConfiguration.redacted(url)
    }

    /// Opens the configured database (PostgreSQL when `database.url` is set, else the SQLite file, creating
    /// its directory) and applies migrations, or with `.requireCurrent` refuses a database that needs them.
    public static func openStore(
        configuration: SluiceConfiguration, logger: Logger, migration: SchemaMigration = .apply
    ) throws(StoreError) -> any AppStore {
        let url = configuration.string("database.url")
        if !url.isEmpty {
            guard PostgresStoreConfiguration.isPostgresURL(url) else {
                throw StoreError(.invalidInput, "database.url must start with postgres:// or postgresql://")
            }
            var storeConfiguration = PostgresStoreConfiguration(
                url: url, poolSize: configuration.int("database.pool_size"),
                statementTimeoutMilliseconds: configuration.int("database.statement_timeout_ms"))
            storeConfiguration.migration = migration
            return try PostgresStore(configuration: storeConfiguration, logger: logger)
        }
        // SQLiteStore creates the folder (and missing parents), each synced into its parent.
        let path = configuration.string("database.path")
        var storeConfiguration = SQLiteStoreConfiguration(
            path: path, busyTimeoutMilliseconds: configuration.int("database.busy_timeout_ms"),
            cacheSizeKiB: configuration.int("database.cache_mib") * 1024, mmapSize: configuration.int("database.mmap_mib") << 20
        )
        storeConfiguration.migration = migration
        return try SQLiteStore(configuration: storeConfiguration, logger: logger)
    }

    private init(context: AppContext, router: Router, workers: [any BackgroundWorker], tls: TLSServerIdentity?) {
        self.context = context
        self.routes = router.routes
        self.workers = workers
        self.workerTask = WorkerTask()
        let c = context.configuration
        let threads = c.int("http.threads")
        let metrics = context.metrics
        var serverConfiguration = HTTPServerConfiguration(
            host: c.string("http.host"),
            port: c.int("http.port"),
            threads: threads == 0 ? HTTPServerConfiguration.cpuCount : threads,
            maxHeaderBytes: c.int("http.max_header_bytes"),
            defaultBodyLimit: c.int("http.max_body_bytes"),
            headerReadTimeout: .seconds(c.double("http.header_timeout_seconds")),
            idleTimeout: .seconds(c.double("http.idle_timeout_seconds")),
            bodyReadTimeout: .seconds(c.double("http.body_timeout_seconds")),
            minimumBodyRate: c.int("http.min_body_rate_bytes"),
            maxConnections: c.int("http.max_connections"),
            drainTimeout: .seconds(c.double("http.drain_timeout_seconds")),
            requestMetrics: metrics,
            tls: tls
        )
        serverConfiguration.trustedProxies = c.strings("http.trusted_proxies").compactMap(IPNetwork.init)
        serverConfiguration.forwardedHeader = ForwardedHeader(rawValue: c.string("http.forwarded_header")) ?? .xForwardedFor
        self.server = HTTPServer(configuration: serverConfiguration, responder: router, logger: context.logger)
    }

    /// The bound port (after `start()`).
    public var port: Int { server.port }

    /// Binds the listeners and starts the background workers.
    public func start() throws {
        try server.start()
        let workers = self.workers
        let logger = context.logger
        workerTask.start {
            await withTaskGroup(of: Void.self) { group in
                for worker in workers {
                    group.addTask {
                        logger.debug("worker started", metadata: ["worker": "\(worker.name)"])
                        await worker.run()
                    }
                }
            }
        }
        context.logger.info("sluice listening", metadata: [
            "http.host": "\(context.configuration.string("http.host"))", "http.port": "\(port)",
            "http.scheme": "\(server.configuration.tls == nil ? "http" : "https")",
            "database": "\(context.store.databaseIdentity)", "version": "\(SluiceVersion.current)",
        ])
    }

    /// Serves until `shutdown()` has finished completely (server drained, workers stopped, store closed).
    public func run() async throws {
        try await server.run()
        // The server stops first; wait for the rest of shutdown (or start it, if the server stopped on its own).
        await shutdown()
    }

    /// Graceful stop: `/readyz` turns 503 (the listeners keep accepting for `http.drain_delay_seconds`), the
    /// server stops accepting and drains in-flight requests (their store commits finish), then workers stop and
    /// the store closes.
    public func shutdown() async {
        guard shutdownLatch.begin() else {
            await shutdownLatch.wait()
            return
        }
        defer { shutdownLatch.finish() }
        context.state.beginDraining()
        let delay = context.configuration.double("http.drain_delay_seconds")
        context.logger.info("draining", metadata: [
            "http.drain_delay_seconds": "\(delay)",
            "http.drain_timeout_seconds": "\(context.configuration.double("http.drain_timeout_seconds"))",
        ])
        // A load balancer needs a few health checks to see /readyz fail; closing the listeners at once would
        // turn its remaining requests into refused connections instead.
        if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
        await server.shutdown()
        await workerTask.cancelAndWait()
        context.store.close()
        context.logger.info("stopped")
    }
}

/// Holds the workers' task so shutdown can cancel and await it.
final class WorkerTask: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    func start(_ body: @escaping @Sendable () async -> Void) {
        task.withLock { $0 = Task { await body() } }
    }

    func cancelAndWait() async {
        let running = task.withLock { t -> Task<Void, Never>? in defer { t = nil }; return t }
        running?.cancel()
        await running?.value
    }
}

/// Makes `shutdown()` run once while every other caller waits for it to finish.
final class ShutdownLatch: Sendable {
    private struct State {
        var started = false
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    /// True for the first caller, who must call `finish()`.
    func begin() -> Bool {
        state.withLock { s in
            if s.started { return false }
            s.started = true
            return true
        }
    }

    func finish() {
        let waiters = state.withLock { s in
            s.finished = true
            defer { s.waiters = [] }
            return s.waiters
        }
        waiters.forEach { $0.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s in
                if s.finished { return true }
                s.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
