import Foundation
import SluiceCore
@testable import SluicePostgres
import SluiceTestSupport
import Synchronization
import Testing

/// What `PGPool` checks before it hands a connection to a job, and the one retry of a job whose first
/// statement found its connection gone.
@Suite(.serialized) struct PostgresPoolHandOutTests {
    private func pool(_ url: String) async throws -> PGPool {
        let connect: @Sendable () throws(StoreError) -> PGConnection = {
            try PGConnection(url: url, connectTimeoutSeconds: 5, statementTimeoutMilliseconds: 10_000)
        }
        let pool = PGPool(size: 1, first: nil, maxWaitMilliseconds: nil, logger: PostgresStore.silentLogger, connect: connect)
        try await pool.run { connection throws(StoreError) in try connection.executeScript("CREATE TABLE t (n int PRIMARY KEY)") }
        return pool
    }

    private func backendPID(_ pool: PGPool) async throws -> Int {
        try await pool.run { connection throws(StoreError) in try connection.execute("SELECT pg_backend_pid()").int(0, 0) }
    }

    /// Ends server session `pid` (as a restart or `idle_session_timeout` would) and waits until it is gone.
    private static func terminate(_ pid: Int, url: String) throws(StoreError) {
        let admin = try PGConnection(url: url, connectTimeoutSeconds: 5, statementTimeoutMilliseconds: 10_000)
        try admin.execute("SELECT pg_terminate_backend($1)", [.int(pid)])
        for _ in 0..<200 {
            if try admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [.int(pid)]).int(0, 0) == 0 { break }
            usleep(20_000)
        }
        // The backend leaves pg_stat_activity just before it closes its socket.
        usleep(200_000)
    }

    @Test func aConnectionTheServerEndedWhileIdleIsReplacedBeforeTheNextJob() async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        let pool = try await pool(url)
        defer { pool.close() }
        let first = try await backendPID(pool)
        try await offPool { try Self.terminate(first, url: url) }
        // An autocommit statement is never retried: this succeeds only because the hand-out saw the end.
        let second = try await backendPID(pool)
        #expect(second != first)
    }

    @Test func aConnectionLeftInsideATransactionIsNotHandedOut() async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        let pool = try await pool(url)
        defer { pool.close() }
        let first = try await pool.run { connection throws(StoreError) in
            try connection.executeScript("BEGIN")
            try connection.execute("INSERT INTO t (n) VALUES (1)")
            return try connection.execute("SELECT pg_backend_pid()").int(0, 0)
        }
        let (second, rows) = try await pool.run { connection throws(StoreError) in
            (try connection.execute("SELECT pg_backend_pid()").int(0, 0), try connection.execute("SELECT count(*) FROM t").int(0, 0))
        }
        #expect(second != first)
        #expect(rows == 0, "the abandoned transaction rolled back with its session")
    }

    /// The server ends the session after the hand-out: the job's transaction cannot have committed, so the
    /// pool runs it again on a new connection.
    @Test func aTransactionWhoseFirstStatementFindsTheConnectionGoneRunsAgainOnANewOne() async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        let pool = try await pool(url)
        defer { pool.close() }
        // Prepared once on this connection, so the retried job below fails at its pipelined BEGIN, not at a Parse.
        try await pool.run { connection throws(StoreError) in
            try connection.transaction { () throws(StoreError) in
                _ = try connection.execute("INSERT INTO t (n) VALUES (7) RETURNING n")
                try connection.execute("DELETE FROM t")
            }
        }
        let pid = try await backendPID(pool)
        let attempts = Attempts()
        let inserted = try await pool.run { connection throws(StoreError) in
            if attempts.next() == 1 { try Self.terminate(pid, url: url) }
            return try connection.transaction { () throws(StoreError) -> Int in
                try connection.execute("INSERT INTO t (n) VALUES (7) RETURNING n").int(0, 0)
            }
        }
        #expect(inserted == 7)
        #expect(attempts.count == 2)
        #expect(try await backendPID(pool) != pid)
        #expect(try await pool.run { connection throws(StoreError) in try connection.execute("SELECT count(*) FROM t").int(0, 0) } == 1)
    }

    /// A statement not yet prepared on the connection fails at its Parse, which runs nothing: retried.
    @Test func aStatementWhoseParseFindsTheConnectionGoneRunsAgainOnANewOne() async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        let pool = try await pool(url)
        defer { pool.close() }
        let pid = try await backendPID(pool)
        let attempts = Attempts()
        let inserted = try await pool.run { connection throws(StoreError) in
            if attempts.next() == 1 { try Self.terminate(pid, url: url) }
            return try connection.execute("INSERT INTO t (n) VALUES (9)").affectedRows
        }
        #expect(inserted == 1)
        #expect(attempts.count == 2)
    }

    /// A statement outside a transaction that reached the socket may have run: it is not run twice.
    @Test func anAutocommitStatementThatWasSentIsNotRetried() async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        let pool = try await pool(url)
        defer { pool.close() }
        let insert = "INSERT INTO t (n) VALUES ($1)"
        // Prepared already: a statement whose Parse fails never ran, and would be retried.
        let pid = try await pool.run { connection throws(StoreError) in
            try connection.execute(insert, [.int(1)])
            return try connection.execute("SELECT pg_backend_pid()").int(0, 0)
        }
        let attempts = Attempts()
        let error = await #expect(throws: StoreError.self) {
            try await pool.run { connection throws(StoreError) in
                if attempts.next() == 1 { try Self.terminate(pid, url: url) }
                return try connection.execute(insert, [.int(8)]).affectedRows
            }
        }
        #expect(error?.code == .unavailable)
        #expect(attempts.count == 1)
        // The pool reconnects for the next job.
        #expect(try await backendPID(pool) != pid)
    }
}

/// Counts a job's runs.
private final class Attempts: Sendable {
    private let value = Atomic(0)
    /// This run's number, from 1.
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
    var count: Int { value.load(ordering: .relaxed) }
}
