import Glibc
import Logging
import Synchronization

/// The HTTP/1.1 server: one epoll loop thread per configured thread, each with its own
/// SO_REUSEPORT listener; handlers run as Swift tasks.
///
/// Over `maxConnections`, a new connection is accepted, answered `503` and closed at once (over HTTPS,
/// `configuration.tls`, closed without an answer: no handshake is spent on it).
///
///     var router = Router()
///     router.add(.GET, "/healthz") { _ in .text("ok") }
///     let server = HTTPServer(configuration: .init(port: 8080), responder: router, logger: logger)
///     try server.start()            // binds; `server.port` is now valid
///     try await server.run()        // returns after `shutdown()` (or task cancellation)
///
/// Call `shutdown()` before dropping the server: the loop threads run until then.
public final class HTTPServer: Sendable {
    private enum Phase {
        case idle
        case running(loops: [ServerEventLoop], port: Int)
        case stopping
        case stopped
    }

    private struct State {
        var phase = Phase.idle
        var runWaiters: [CheckedContinuation<Void, Never>] = []
        var shutdownStarted = false
        var finished = false
    }

    public let configuration: HTTPServerConfiguration
    private let core: ServerCore
    private let state = Mutex(State())
    private let exitedLoops = Atomic<Int>(0)
    private let boundPort = Atomic<Int>(0)

    public init(configuration: HTTPServerConfiguration = HTTPServerConfiguration(), responder: any HTTPResponder, logger: Logger) {
        self.configuration = configuration
        core = ServerCore(configuration: configuration, responder: responder, logger: logger)
    }

    /// The bound port (useful with port 0); 0 before `start()`.
    public var port: Int { boundPort.load(ordering: .relaxed) }

    /// True once `shutdown()` began; readiness probes should report not-ready.
    public var isDraining: Bool { core.isDraining }

    /// Open connections right now.
    public var connectionCount: Int { core.connectionCount.load(ordering: .relaxed) }

    /// Open connections per event loop, by loop index (`ConnectionBalancer`'s count).
    var connectionsPerLoop: [Int] { core.balancer.counts }

    /// Binds the listeners and starts the loop threads.
    /// - Throws: `HTTPServerError` (`.bindFailed`, `.invalidConfiguration`, `.alreadyStarted`).
    public func start() throws {
        try state.withLock { s throws(HTTPServerError) in
            guard case .idle = s.phase else { throw HTTPServerError(.alreadyStarted, "Server already started") }
            guard configuration.threads >= 1, configuration.maxConnections >= 1 else {
                throw HTTPServerError(.invalidConfiguration, "threads and maxConnections must be positive")
            }
            // Ignore SIGPIPE process-wide as well: MSG_NOSIGNAL covers our sends, not other code's.
            signal(SIGPIPE, SIG_IGN)
            var fds: [Int32] = []
            do throws(HTTPServerError) {
                try ServerSocket.checkPortIsFree(host: configuration.host, port: configuration.port)
                let first = try ServerSocket.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
                fds.append(first)
                let port = ServerSocket.localPort(first)
                for _ in 1..<configuration.threads {
                    fds.append(try ServerSocket.listen(host: configuration.host, port: port, backlog: configuration.backlog))
                }
                var loops: [ServerEventLoop] = []
                for (i, fd) in fds.enumerated() { loops.append(try ServerEventLoop(core: core, index: i, listenFD: fd)) }
                boundPort.store(port, ordering: .relaxed)
                s.phase = .running(loops: loops, port: port)
                core.balancer.register(loops)
                for loop in loops { loop.start { [self] in exitedLoops.add(1, ordering: .relaxed) } }
            } catch {
                for fd in fds { close(fd) }
                throw error
            }
        }
        core.logger.debug("http server listening", metadata: ["http.port": "\(port)", "http.threads": "\(configuration.threads)"])
    }

    /// Starts if needed, then waits until `shutdown()` completes; cancelling the task shuts down.
    public func run() async throws {
        let needsStart = state.withLock { s in if case .idle = s.phase { true } else { false } }
        if needsStart { try start() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = state.withLock { s in
                    if s.finished { return true }
                    s.runWaiters.append(continuation)
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            Task { await self.shutdown() }
        }
    }

    /// Graceful stop: refuse new connections, let in-flight requests finish (up to `drainTimeout`),
    /// close idle keep-alive connections, then stop the loops. Safe to call more than once.
    public func shutdown() async {
        let loops: [ServerEventLoop]? = state.withLock { s in
            guard !s.shutdownStarted else { return nil }
            s.shutdownStarted = true
            if case .running(let loops, _) = s.phase {
                s.phase = .stopping
                return loops
            }
            s.phase = .stopped
            return []
        }
        guard let loops else {
            await waitUntilFinished()
            return
        }
        core.beginDraining()
        // Close listeners first and wait until every loop did, so connects fail from here on.
        await withTaskGroup(of: Void.self) { group in
            for loop in loops {
                group.addTask {
                    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                        loop.post(.stopAccepting({ c.resume() }))
                    }
                }
            }
        }
        for loop in loops { loop.post(.drain) }
        let deadline = ContinuousClock.now.advanced(by: configuration.drainTimeout)
        while core.connectionCount.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        for loop in loops { loop.post(.stop) }
        while exitedLoops.load(ordering: .relaxed) < loops.count {
            try? await Task.sleep(for: .milliseconds(5))
        }
        let waiters = state.withLock { s in
            s.phase = .stopped
            s.finished = true
            defer { s.runWaiters = [] }
            return s.runWaiters
        }
        for waiter in waiters { waiter.resume() }
        core.logger.debug("http server stopped")
    }

    private func waitUntilFinished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s in
                if s.finished { return true }
                s.runWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
