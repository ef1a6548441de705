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
    }

    private let state: Mutex<State>

    init(_ connections: [Database]) {
        state = Mutex(State(idle: connections, members: Set(connections.map { ObjectIdentifier($0) })))
    }

    /// Runs `body` with a connection of its own, inside one read transaction when `transaction` is set
    /// (single statements are their own transaction already).
    func read<T>(transaction: Bool = false, _ body: (Database) throws(StoreError) -> T) async throws(StoreError) -> T {
        guard let database = await acquire() else { throw StoreError(.unavailable, "store is closed") }
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

    private func acquire() async -> Database? {
        enum Fast { case ready(Database), closed, wait }
        let fast: Fast = state.withLock { state in
            if state.closed { return .closed }
            if let database = state.idle.popLast() { return .ready(database) }
            return .wait
        }
        switch fast {
        case .ready(let database): return database
        case .closed: return nil
        case .wait: break
        }
        return await withCheckedContinuation { continuation in
            let ready: Database?? = state.withLock { state in
                if state.closed { return .some(nil) }
                if let database = state.idle.popLast() { return .some(database) }
                state.waiters.append(continuation)
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func release(_ database: Database) {
        let waiter: CheckedContinuation<Database?, Never>? = state.withLock { state in
            if state.retiring.remove(ObjectIdentifier(database)) != nil { return nil }
            if state.closed { return nil }
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
    func renew(count: Int, patience: Duration, open: () throws(StoreError) -> Database) throws(StoreError) {
        state.withLock { state in
            let idle = Set(state.idle.map { ObjectIdentifier($0) })
            state.retiring = state.members.subtracting(idle)
            state.members = []
            state.idle.removeAll()
        }
        let deadline = ContinuousClock.now + patience
        while state.withLock({ !$0.retiring.isEmpty }) && ContinuousClock.now < deadline {
            usleep(5_000)
        }
        var fresh: [Database] = []
        for _ in 0..<count { fresh.append(try open()) }
        state.withLock { $0.members.formUnion(fresh.map { ObjectIdentifier($0) }) }
        for database in fresh { release(database) }
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
