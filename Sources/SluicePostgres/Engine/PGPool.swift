import Foundation
import Logging
import SluiceCore
import Synchronization

/// A fixed set of threads, each owning one connection; queued jobs run on whichever thread is free.
///
/// libpq blocks, so every call happens on these threads. Before each job a thread checks its connection (what
/// the server sent meanwhile, an open transaction left behind) and reconnects if it is unfit. A job whose
/// first statement finds the connection gone without having changed anything runs once more on a new one;
/// any other job that sees the loss fails with `.unavailable` (the web layer answers 503).
/// A job that finds no thread free within `maxWaitMilliseconds` fails with `.busy` instead of queueing
/// without end behind a slow server (the request gets a 503 while its client still waits for an answer).
final class PGPool: @unchecked Sendable {
    // @unchecked: `pending`/`idle`/`closed` are guarded by `condition`; each connection is touched only by
    // the thread that opened it.
    /// Runs a job on a connection (or reports why there is none); `mayRetry` lets it ask for a second run on a
    /// new connection (`.retryOnNewConnection`) when its first statement found the connection gone.
    typealias Job = (_ connection: Result<PGConnection, StoreError>, _ mayRetry: Bool) -> JobOutcome

    /// What a job did with its run: answered its caller, or asks to run again on a new connection.
    enum JobOutcome { case done, retryOnNewConnection }

    private let condition = NSCondition()
    private var pending: [QueuedJob] = []
    /// Threads waiting for a job: a job queued behind more jobs than this waits, and gets a deadline.
    private var idle = 0
    private var closed = false
    /// How long a job may wait for a thread; nil: as long as it takes.
    private let maxWaitMilliseconds: Int?
    private let finished = DispatchSemaphore(value: 0)
    private let joined = Mutex(false)
    private let size: Int
    private let connect: @Sendable () throws(StoreError) -> PGConnection
    private let logger: Logger

    /// Starts `size` threads; each connects lazily with `connect`, and `first` becomes thread 0's connection.
    init(
        size: Int, first: PGConnection?, maxWaitMilliseconds: Int?, logger: Logger,
        connect: @escaping @Sendable () throws(StoreError) -> PGConnection
    ) {
        self.size = max(1, size)
        self.maxWaitMilliseconds = maxWaitMilliseconds
        self.connect = connect
        self.logger = logger
        // The initial connection is handed to thread 0 before any job can run.
        let handoff = HandOff(first)
        for index in 0..<self.size {
            let thread = Thread { [self] in loop(initial: index == 0 ? handoff.take() : nil) }
            thread.name = "sluice.postgres.\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Runs `body` with a connection on a pool thread and returns its result.
    /// - Parameter patient: waits for a thread however long it takes, for work that must not be dropped
    ///   (recording what SES did with a message).
    /// - Throws: `.busy` when no thread took the job within `maxWaitMilliseconds`; `body`'s own errors otherwise.
    func run<T: Sendable>(
        patient: Bool = false, _ body: @escaping @Sendable (PGConnection) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            let job = QueuedJob { connection, mayRetry in
                switch connection {
                case .failure(let error): continuation.resume(returning: .failure(error))
                case .success(let connection):
                    do throws(StoreError) {
                        continuation.resume(returning: .success(try body(connection)))
                    } catch {
                        if mayRetry && connection.lostBeforeFirstStatement { return .retryOnNewConnection }
                        continuation.resume(returning: .failure(error))
                    }
                }
                return .done
            }
            condition.lock()
            if closed {
                condition.unlock()
                continuation.resume(returning: .failure(StoreError(.unavailable, "store is closed")))
                return
            }
            pending.append(job)
            let waits = pending.count > idle
            condition.signal()
            condition.unlock()
            // Only a job that has to wait gets a timer, so the common case costs no dispatch.
            guard waits, !patient, let maxWait = maxWaitMilliseconds else { return }
            let size = self.size
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(maxWait)) {
                guard job.take() else { return }
                continuation.resume(returning: .failure(StoreError(
                    .busy, "no PostgreSQL connection was free within \(maxWait) ms (all \(size) in use)")))
            }
        }
        return try result.get()
    }

    /// Jobs waiting for a free connection.
    var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count
    }

    /// Lets queued jobs finish, then closes every connection and waits for the threads.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        let first = joined.withLock { joined in
            defer { joined = true }
            return !joined
        }
        if first { for _ in 0..<size { finished.wait() } }
    }

    /// Stops accepting jobs without waiting (from `deinit`, which may run on a pool thread itself).
    func shutdown() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop(initial: PGConnection?) {
        var connection = initial
        while true {
            condition.lock()
            idle += 1
            while pending.isEmpty && !closed { condition.wait() }
            idle -= 1
            if pending.isEmpty {
                condition.unlock()
                break
            }
            let job = pending.removeFirst()
            condition.unlock()
            // A job whose deadline passed was already answered; it must not run late.
            guard job.take() else { continue }
            if let current = connection, !current.readyForJob() {
                logger.debug("postgres.reconnect")
                connection = nil
            }
            // A connection opened for this job: a loss on it is no stale connection, and is not retried.
            var fresh = false
            if connection == nil {
                do throws(StoreError) {
                    let opened = try connect()
                    _ = opened.readyForJob()
                    connection = opened
                    fresh = true
                } catch {
                    _ = job.run(.failure(error), false)
                    continue
                }
            }
            guard let current = connection, job.run(.success(current), !fresh) == .retryOnNewConnection else { continue }
            logger.debug("postgres.retry_on_new_connection")
            connection = nil
            do throws(StoreError) {
                let opened = try connect()
                _ = opened.readyForJob()
                connection = opened
                _ = job.run(.success(opened), false)
            } catch {
                _ = job.run(.failure(error), false)
            }
        }
        connection = nil
        finished.signal()
    }
}

/// A job in the queue; whoever takes it first, a pool thread or its deadline, answers it.
private final class QueuedJob: @unchecked Sendable {
    // @unchecked: `run` is called only by the pool thread that won `take()` (twice at most: see `Job`).
    let run: PGPool.Job
    private let taken = Atomic(false)
    init(_ run: @escaping PGPool.Job) { self.run = run }
    /// True for the one caller that gets the job.
    func take() -> Bool { !taken.exchange(true, ordering: .acquiringAndReleasing) }
}

/// Passes the first connection to the thread that takes it.
private final class HandOff: @unchecked Sendable {
    // @unchecked: `value` is read and cleared under `lock`, by the one thread that takes it.
    private let lock = NSLock()
    private var value: PGConnection?
    init(_ value: PGConnection?) { self.value = value }
    func take() -> PGConnection? {
        lock.lock()
        defer { lock.unlock() }
        let taken = value
        value = nil
        return taken
    }
}
