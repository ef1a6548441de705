import Foundation
import Logging
import SluiceCore
import Synchronization

/// A fixed set of threads, each owning one connection; queued jobs run on whichever thread is free.
///
/// libpq blocks, so every call happens on these threads. A thread whose connection was lost reconnects
/// before its next job; the job that saw the loss fails with `.unavailable` (the web layer answers 503).
final class PGPool: @unchecked Sendable {
    // @unchecked: `pending`/`closed` are guarded by `condition`; each connection is touched only by the
    // thread that opened it.
    typealias Job = (Result<PGConnection, StoreError>) -> Void

    private let condition = NSCondition()
    private var pending: [Job] = []
    private var closed = false
    private let finished = DispatchSemaphore(value: 0)
    private let joined = Mutex(false)
    private let size: Int
    private let connect: @Sendable () throws(StoreError) -> PGConnection
    private let logger: Logger

    /// Starts `size` threads; each connects lazily with `connect`, and `first` becomes thread 0's connection.
    init(size: Int, first: PGConnection?, logger: Logger, connect: @escaping @Sendable () throws(StoreError) -> PGConnection) {
        self.size = max(1, size)
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
    func run<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws(StoreError) -> T) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            let job: Job = { connection in
                switch connection {
                case .failure(let error): continuation.resume(returning: .failure(error))
                case .success(let connection):
                    do throws(StoreError) {
                        continuation.resume(returning: .success(try body(connection)))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
            }
            condition.lock()
            if closed {
                condition.unlock()
                continuation.resume(returning: .failure(StoreError(.unavailable, "store is closed")))
                return
            }
            pending.append(job)
            condition.signal()
            condition.unlock()
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
            while pending.isEmpty && !closed { condition.wait() }
            if pending.isEmpty {
                condition.unlock()
                break
            }
            let job = pending.removeFirst()
            condition.unlock()
            if let current = connection, !current.isHealthy {
                logger.debug("postgres.reconnect")
                connection = nil
            }
            if connection == nil {
                do throws(StoreError) {
                    connection = try connect()
                } catch {
                    job(.failure(error))
                    continue
                }
            }
            if let connection { job(.success(connection)) }
        }
        connection = nil
        finished.signal()
    }
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
