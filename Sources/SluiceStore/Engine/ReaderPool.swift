import Foundation
import SluiceCore
import Synchronization

/// A small pool of read-only connections; a caller checks one out for the length of one read.
final class ReaderPool: Sendable {
    private struct State {
        var idle: [Database]
        var waiters: [CheckedContinuation<Database?, Never>] = []
        var closed = false
        /// Every connection of the pool, idle or checked out.
        var members: Set<ObjectIdentifier> = []
        /// Checked-out connections to drop (not re-pool) when their reader finishes; see `renew`.
        var retiring: Set<ObjectIdentifier> = []
        /// Why the pool has no connections after a renewal that could open none; reads fail with it.
        var broken: StoreError?
    }

    private let state: Mutex<State>

    init(_ connections: [Database]) {
        state = Mutex(State(idle: connections, members: Set(connections.map { ObjectIdentifier($0) })))
    }

    /// Runs `body` with a connection of its own, inside one read transaction when `transaction` is set
    /// (single statements are their own transaction already).
    func read<T>(transaction: Bool = false, _ body: (Database) throws(StoreError) -> T) async throws(StoreError) -> T {
        let database = try await acquire()
        defer { release(database) }
        guard transaction else { return try body(database) }
        try database.execute("BEGIN")
        do throws(StoreError) {
            let value = try body(database)
            try database.execute("COMMIT")
            return value
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
    }

    /// A connection of the pool; waits while all are checked out.
    /// - Throws: `.unavailable` when the pool is closed, or holds no connection since a failed renewal.
    private func acquire() async throws(StoreError) -> Database {
        enum Fast { case ready(Database), unavailable, wait }
        let fast: Fast = state.withLock { state in
            if state.closed { return .unavailable }
            if let database = state.idle.popLast() { return .ready(database) }
            if state.members.isEmpty, state.broken != nil { return .unavailable }
            return .wait
        }
        switch fast {
        case .ready(let database): return database
        case .unavailable: throw unavailable()
        case .wait: break
        }
        let database = await withCheckedContinuation { continuation in
            let ready: Database?? = state.withLock { state in
                if state.closed { return .some(nil) }
                if let database = state.idle.popLast() { return .some(database) }
                if state.members.isEmpty, state.broken != nil { return .some(nil) }
                state.waiters.append(continuation)
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
        guard let database else { throw unavailable() }
        return database
    }

    private func unavailable() -> StoreError {
        state.withLock { $0.closed ? nil : $0.broken } ?? StoreError(.unavailable, "store is closed")
    }

    private func release(_ database: Database) {
        let waiter: CheckedContinuation<Database?, Never>? = state.withLock { state in
            let id = ObjectIdentifier(database)
            state.retiring.remove(id)
            // A connection from before a renewal is dropped (closed), never pooled again.
            guard state.members.contains(id), !state.closed else { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(database)
            return nil
        }
        waiter?.resume(returning: database)
    }

    /// Replaces the pool's connections: idle ones are closed now, checked-out ones when they come back,
    /// then `open` makes `count` new ones once every old one is closed (waits at most `patience`).
    /// SQLite shares one shared-memory (-shm) mapping per file among a process's connections, so a
    /// mapping made read-only lingers until the last old connection is gone.
    /// When `open` fails, the connections opened before it serve alone; with none, waiting and later reads
    /// fail with its error (503) until a renewal succeeds, rather than wait for a connection that never comes.
    func renew(count: Int, patience: Duration, open: () throws(StoreError) -> Database) throws(StoreError) {
        state.withLock { state in
            let idle = Set(state.idle.map { ObjectIdentifier($0) })
            // A union: a reader that outlived an earlier renewal is still old.
            state.retiring.formUnion(state.members.subtracting(idle))
            state.members = []
            state.idle.removeAll()
        }
        let deadline = ContinuousClock.now + patience
        while state.withLock({ !$0.retiring.isEmpty }) && ContinuousClock.now < deadline {
            usleep(5_000)
        }
        var fresh: [Database] = []
        var failure: StoreError?
        for _ in 0..<count {
            do throws(StoreError) {
                fresh.append(try open())
            } catch {
                failure = error
                break
            }
        }
        let stranded: [CheckedContinuation<Database?, Never>] = state.withLock { state in
            state.members.formUnion(fresh.map { ObjectIdentifier($0) })
            state.broken = fresh.isEmpty ? failure.map { StoreError(.unavailable, "no read connection: \($0.message)", underlying: $0) } : nil
            guard fresh.isEmpty else { return [] }
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in stranded { waiter.resume(returning: nil) }
        for database in fresh { release(database) }
        if let failure { throw failure }
    }

    /// Closes idle connections now; busy ones close when their reader finishes.
    func close() {
        let waiters = state.withLock { state in
            state.closed = true
            state.idle.removeAll()
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }
}
