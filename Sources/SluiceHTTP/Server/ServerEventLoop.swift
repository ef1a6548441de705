import Glibc
import SluiceCore
import SluiceCrypto
import Synchronization

/// One epoll thread: accepts on its own SO_REUSEPORT listener (handing a connection to a loop with fewer,
/// see `ConnectionBalancer`), parses, writes and keeps timers.
/// Handlers run in Swift tasks that prefer this loop as their task executor and hand their
/// responses back through `post` (see ServerEventLoop+Executor.swift).
final class ServerEventLoop: @unchecked Sendable {
    // Invariant for @unchecked Sendable: `inbox`, `date` (Mutex) and `loopThread` (Atomic) are the only
    // mutable state touched from other threads, plus the immutable fds; everything else, `local`
    // included, is loop-thread-only (`post` checks the calling thread before touching `local`).
    let core: ServerCore
    let index: Int
    private let epollFD: Int32
    private let wakeFD: Int32
    private let inbox = Mutex<Inbox>(Inbox())
    /// The loop thread's pthread id while it runs the loop, 0 otherwise.
    private let loopThread = Atomic<UInt>(0)
    /// Messages (and task jobs) posted by the loop thread itself: no lock, no eventfd.
    private var local: [LoopMessage] = []
    private var localSpare: [LoopMessage] = []
    private var listenFD: Int32
    private var connections = ConnectionTable()
    private var nextID: UInt64 = 1
    private var stopped = false
    private var lastSweep: UInt64 = 0
    private var acceptParkedUntil: UInt64?
    /// Connections whose read budget ran out while data was still pending.
    private var deferredReads: [ServerConnection] = []
    /// Monotonic time read once per loop wake-up: activity stamps for timeouts use it instead of a
    /// clock call each; deadlines (checked every 100 ms) are far coarser than one loop pass.
    private(set) var tick: UInt64 = ServerSyscalls.now()
    var ids: RequestIDGenerator
    /// One Date cache per loop: its lock is then uncontended and its cache line stays on this core.
    let date = ResponseDate()
    private var onExit: (@Sendable () -> Void)?
    /// Access-log lines written by this loop thread, flushed in batches (nil without a byte-level writer).
    private var accessLog: AccessLogBuffer?
    /// Request metric handles resolved by this loop (nil without `requestMetrics`).
    private var requestSeries: RequestSeriesCache?

    private struct Inbox {
        var messages: [LoopMessage] = []
        /// The loop thread has exited; late messages are answered on the posting thread.
        var closed = false
    }

    private static let wakeToken = UInt64.max
    private static let listenToken = UInt64.max - 1

    init(core: ServerCore, index: Int, listenFD: Int32) throws(HTTPServerError) {
        self.core = core
        self.index = index
        self.listenFD = listenFD
        self.ids = RequestIDGenerator()
        accessLog = core.accessLogWriter.map { AccessLogBuffer(writer: $0) }
        requestSeries = core.configuration.requestMetrics.map { RequestSeriesCache(metrics: $0) }
        epollFD = ServerSyscalls.epollCreate()
        wakeFD = ServerSyscalls.makeEventFD()
        guard epollFD >= 0, wakeFD >= 0 else {
            // deinit closes whichever of the two was created.
            let e = errno
            throw HTTPServerError(.bindFailed, "Could not create epoll or eventfd", errno: e)
        }
        _ = ServerSyscalls.epollAdd(epollFD, wakeFD, events: ServerSyscalls.epollIn, token: Self.wakeToken)
        _ = ServerSyscalls.epollAdd(epollFD, listenFD, events: ServerSyscalls.epollIn, token: Self.listenToken)
    }

    /// The name of every loop thread (at most 15 bytes, the kernel's limit).
    static let threadName = "sluice.loop"

    /// Starts the loop thread; `onExit` runs on it after the last connection is closed.
    func start(onExit: @escaping @Sendable () -> Void) {
        self.onExit = onExit
        let unmanaged = Unmanaged.passRetained(self)
        var thread = pthread_t()
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
        let rc = pthread_create(&thread, &attr, { raw in
            let loop = Unmanaged<ServerEventLoop>.fromOpaque(raw!).takeRetainedValue()
            ThreadName.setCurrent(ServerEventLoop.threadName)
            loop.run()
            return nil
        }, unmanaged.toOpaque())
        pthread_attr_destroy(&attr)
        if rc != 0 {
            core.balancer.unregister(index)
            unmanaged.release()
            onExit()
        }
    }

    /// Whether the caller runs on this loop's thread, inside the loop.
    var isLoopThread: Bool { loopThread.load(ordering: .relaxed) == UInt(pthread_self()) }

    /// Buffers the access-log line for `record`; loop thread only.
    func bufferAccessLine(_ record: AccessLogRecord) {
        accessLog?.append(record, now: tick)
    }

    /// Counts one request in this loop's cached series; loop thread only.
    func recordRequest(method: HTTPMethod, routePattern: String?, status: Int, durationSeconds: Double) {
        requestSeries?.series(method: method, routePattern: routePattern, status: status)?.record(durationSeconds: durationSeconds)
    }

    /// Queues `message` for the loop thread; callable from any thread.
    func post(_ message: LoopMessage) {
        if isLoopThread {
            // Handled before the next epoll_wait; never inline, so loop state is not re-entered
            // in the middle of parsing or writing.
            local.append(message)
            return
        }
        let wasEmpty: Bool? = inbox.withLock { box in
            if box.closed { return nil }
            let empty = box.messages.isEmpty
            box.messages.append(message)
            return empty
        }
        guard let wasEmpty else {
            discard(message)
            return
        }
        // Only the empty→non-empty transition needs a wake-up: the loop drains the whole queue
        // after reading the eventfd.
        if wasEmpty {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
    }

    private func run() {
        let maxEvents = 256
        let events = UnsafeMutableRawBufferPointer.allocate(byteCount: maxEvents * ServerSyscalls.epollEventSize, alignment: 8)
        defer { events.deallocate() }
        loopThread.store(UInt(pthread_self()), ordering: .relaxed)
        while !stopped {
            var timeout: Int32 = deferredReads.isEmpty && local.isEmpty ? 100 : 0
            if timeout > 0, let due = accessLog?.millisecondsUntilDue(now: tick) { timeout = min(timeout, due) }
            let n = ServerSyscalls.epollWait(epollFD, into: events, timeoutMilliseconds: timeout)
            if n < 0 && errno != EINTR { break }
            tick = ServerSyscalls.now()
            for i in 0..<max(0, Int(n)) {
                let (flags, token) = ServerSyscalls.epollEvent(events, i)
                switch token {
                case Self.wakeToken: drainInbox()
                case Self.listenToken: acceptConnections()
                default: handleSocketEvent(token: token, flags: flags)
                }
            }
            if !deferredReads.isEmpty {
                let pending = deferredReads
                deferredReads.removeAll(keepingCapacity: true)
                for c in pending where isRegistered(c) { readAvailable(c) }
            }
            runLocal()
            let now = ServerSyscalls.now()
            tick = now
            accessLog?.flushIfDue(now: now)
            if now &- lastSweep >= 100_000_000 {
                lastSweep = now
                if let parked = acceptParkedUntil, now >= parked, listenFD >= 0 {
                    acceptParkedUntil = nil
                    _ = ServerSyscalls.epollAdd(epollFD, listenFD, events: ServerSyscalls.epollIn, token: Self.listenToken)
                }
                sweep(now: now)
                runLocal()
            }
        }
        // From here on the loop thread posts through the inbox like any other thread, so whatever
        // closing the connections wakes up is discarded (jobs go to the global executor) below.
        loopThread.store(0, ordering: .relaxed)
        core.balancer.unregister(index)
        accessLog?.flush()
        runLocal()
        for connection in connections.values { closeConnection(connection) }
        closeListener()
        let late = inbox.withLock { box in
            box.closed = true
            defer { box.messages = [] }
            return box.messages
        }
        for message in late { discard(message) }
        onExit?()
    }

    // The fds live as long as the object: a handler task finishing after the loop stopped may
    // still post, and must never write into a recycled descriptor number.
    deinit {
        if epollFD >= 0 { close(epollFD) }
        if wakeFD >= 0 { close(wakeFD) }
    }

    /// Releases whatever a message is waiting on when no loop will handle it.
    private func discard(_ message: LoopMessage) {
        switch message {
        case .response(_, _, _, _, _, let sink): sink?.close()
        case .stopAccepting(let ack): ack()
        case .job(let job): globalConcurrentExecutor.enqueue(ExecutorJob(job))
        case .adopt(let fd, _): refuse(fd, countedOn: index)
        default: break
        }
    }

    /// Handles what the loop thread posted to itself, including task jobs and whatever those post
    /// in turn, until nothing is left.
    private func runLocal() {
        while !local.isEmpty {
            swap(&local, &localSpare)
            for message in localSpare { handle(message) }
            localSpare.removeAll(keepingCapacity: true)
        }
    }

    private func drainInbox() {
        var counter: UInt64 = 0
        _ = read(wakeFD, &counter, 8)
        let messages = inbox.withLock { box -> [LoopMessage] in
            let taken = box.messages
            box.messages.removeAll(keepingCapacity: true)
            return taken
        }
        for message in messages { handle(message) }
    }

    private func handle(_ message: LoopMessage) {
        switch message {
        case .response(let fd, let id, let head, let body, let closeAfter, let sink):
            guard let c = connection(fd, id) else {
                sink?.close()
                return
            }
            queueResponse(c, head: head, body: body, closeAfter: closeAfter, sink: sink)
        case .streamChunk(let fd, let id, let bytes):
            guard let c = connection(fd, id) else { return }
            c.output.append(OutChunk(bytes: bytes, streamCredit: bytes.count))
            flush(c)
        case .streamEnd(let fd, let id, let trailer):
            guard let c = connection(fd, id), let exchange = c.exchange else { return }
            if let trailer {
                if !trailer.isEmpty { c.output.append(OutChunk(bytes: trailer)) }
            } else {
                exchange.closeAfter = true
            }
            exchange.responseComplete = true
            flush(c)
        case .resumeReading(let fd, let id):
            guard let c = connection(fd, id), let exchange = c.exchange, exchange.streamPaused else { return }
            exchange.resumeStream(now: ServerSyscalls.now())
            // Bytes already buffered may complete the body before any new read.
            processInput(c)
            if isRegistered(c) { readAvailable(c) }
        case .stopAccepting(let ack):
            closeListener()
            ack()
        case .drain:
            for c in connections.values {
                c.closeWhenIdle = true
                if c.isIdle { closeConnection(c) }
            }
        case .stop:
            stopped = true
        case .job(let job):
            runJob(job)
        case .adopt(let fd, let remoteAddress):
            register(fd: fd, remoteAddress: remoteAddress)
        }
    }

    private func connection(_ fd: Int32, _ id: UInt64) -> ServerConnection? {
        guard let c = connections[fd], c.id == id else { return nil }
        return c
    }

    private func closeListener() {
        guard listenFD >= 0 else { return }
        _ = ServerSyscalls.epollRemove(epollFD, listenFD)
        close(listenFD)
        listenFD = -1
    }

    private func acceptConnections() {
        for _ in 0..<64 {
            guard listenFD >= 0 else { return }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { ServerSyscalls.accept(listenFD, $0, &length) }
            }
            if fd < 0 {
                let e = errno
                if e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM {
                    // Out of descriptors: the level-triggered listener would spin; park it briefly.
                    _ = ServerSyscalls.epollRemove(epollFD, listenFD)
                    acceptParkedUntil = ServerSyscalls.now() &+ 100_000_000
                }
                return
            }
            let count = core.connectionCount.add(1, ordering: .relaxed).newValue
            if count > core.configuration.maxConnections || core.isDraining {
                // Over the limit: answer 503 at once and close rather than leave clients hanging in
                // the backlog; the kernel buffer takes this tiny response without blocking.
                refuse(fd, countedOn: nil)
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let remoteAddress = ServerSocket.describe(storage)
            if let other = core.balancer.place(acceptedBy: index) {
                other.post(.adopt(fd: fd, remoteAddress: remoteAddress))
            } else {
                register(fd: fd, remoteAddress: remoteAddress)
            }
        }
    }

    /// Serves an accepted socket from this loop (counted here already, in `connectionCount` and the balancer).
    private func register(fd: Int32, remoteAddress: String) {
        if core.isDraining {
            // Handed over while the server began draining: answer like the accept path does then.
            refuse(fd, countedOn: index)
            return
        }
        var tls: TLSServerSession?
        if let identity = core.configuration.tls {
            do {
                tls = try TLSServerSession(socket: fd, context: identity.current)
            } catch {
                core.logTLSFailure(error, remote: remoteAddress, handshake: true)
                refuse(fd, countedOn: index)
                return
            }
        }
        let c = ServerConnection(
            fd: fd, id: nextID, remoteAddress: remoteAddress, now: ServerSyscalls.now(), tls: tls,
            trustedProxies: core.configuration.trustedProxies)
        nextID += 1
        connections[fd] = c
        let token = UInt64(UInt32(bitPattern: fd)) | (c.id << 32)
        let events = ServerSyscalls.epollIn | ServerSyscalls.epollOut | ServerSyscalls.epollRdHup | ServerSyscalls.epollEdgeTriggered
        if ServerSyscalls.epollAdd(epollFD, fd, events: events, token: token) != 0 {
            closeConnection(c)
        }
    }

    /// Answers 503 (plain HTTP; over HTTPS only the close) on an accepted socket no loop will serve and
    /// closes it; it leaves `connectionCount`, and the balancer's count of the loop it was placed on, if any.
    private func refuse(_ fd: Int32, countedOn loopIndex: Int?) {
        // An HTTPS client could not read a plaintext answer: it just sees the close.
        if core.configuration.tls == nil {
            let bytes = core.overloadResponse
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        }
        close(fd)
        core.connectionCount.subtract(1, ordering: .relaxed)
        if let loopIndex { core.balancer.release(loopIndex) }
    }

    private func handleSocketEvent(token: UInt64, flags: UInt32) {
        let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: token))
        guard let c = connections[fd], c.id & 0xFFFF_FFFF == token >> 32 else { return }
        if flags & (ServerSyscalls.epollIn | ServerSyscalls.epollRdHup | ServerSyscalls.epollHup | ServerSyscalls.epollErr) != 0 {
            if flags & (ServerSyscalls.epollRdHup | ServerSyscalls.epollHup | ServerSyscalls.epollErr) != 0 { c.hangupSeen = true }
            c.readable = true
            readAvailable(c)
        }
        guard connections[fd] === c else { return }
        if flags & ServerSyscalls.epollOut != 0, c.tlsReadWaitsForWritable {
            c.tlsReadWaitsForWritable = false
            c.readable = true
            readAvailable(c)
            guard connections[fd] === c else { return }
        }
        // TLS: a write that waited for the peer (`wantRead`) goes on once it sent something.
        let writable = flags & ServerSyscalls.epollOut != 0 || (c.tls != nil && flags & ServerSyscalls.epollIn != 0)
        if writable, c.hasPendingOutput {
            flush(c)
        }
    }

    /// Enforces header, body, idle, write and linger deadlines.
    private func sweep(now: UInt64) {
        let config = core.timeouts
        for c in connections.values {
            if c.lingering {
                if now >= c.lingerDeadline { closeConnection(c) }
                continue
            }
            if c.hasPendingOutput, now &- c.lastWriteProgress > config.write {
                closeConnection(c)
                continue
            }
            if let exchange = c.exchange {
                if !exchange.bodyDone, !exchange.streamPaused, !exchange.responseQueued {
                    if now &- exchange.lastBodyProgress > config.body {
                        failBody(c, exchange, HTTPServerError(.bodyTimeout, "Request body not received in time"), status: .requestTimeout, code: "body_timeout")
                    } else if config.bodyRate.isTooSlow(elapsed: now &- exchange.bodyStart, received: exchange.bodyBytes) {
                        failBody(c, exchange, HTTPServerError(.bodyTimeout, "Request body arrived too slowly"), status: .requestTimeout, code: "body_too_slow")
                    }
                } else if let failure = exchange.bodyFailure, !exchange.responseQueued, now >= failure.deadline {
                    // The handler told of the failure has not answered: the server's own answer goes instead.
                    sendLoopError(c, status: failure.status, code: failure.code, message: failure.message)
                }
                continue
            }
            if c.closeWhenIdle && c.isIdle {
                closeConnection(c)
            } else if let start = c.headStart {
                if now &- start > config.header {
                    if c.input.readableBytes == 0 {
                        // Nothing was sent at all (e.g. a speculative pre-connect): just close.
                        closeConnection(c)
                    } else {
                        sendLoopError(c, status: .requestTimeout, code: "header_timeout", message: "Request header not received in time")
                    }
                }
            } else if now &- c.lastActivity > config.idle {
                closeConnection(c)
            }
        }
    }

    func deferRead(_ c: ServerConnection) { deferredReads.append(c) }

    /// Whether `c` is still open on this loop.
    func isRegistered(_ c: ServerConnection) -> Bool { connections[c.fd] === c }

    func removeConnection(_ c: ServerConnection) {
        guard connections[c.fd] === c else { return }
        connections[c.fd] = nil
        close(c.fd)
        core.connectionCount.subtract(1, ordering: .relaxed)
        core.balancer.release(index)
    }
}
