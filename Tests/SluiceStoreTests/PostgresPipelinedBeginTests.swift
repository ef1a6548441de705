import Foundation
import SluiceCore
@testable import SluicePostgres
import SluiceTestSupport
import Testing

/// `PGConnection.transaction` sends its BEGIN with the first statement (pipeline mode): the transaction must
/// still enclose every statement, failures must roll back, and the connection must stay usable.
@Suite(.serialized) struct PostgresPipelinedBeginTests {
    private func withConnection(_ body: @escaping @Sendable (PGConnection) throws -> Void) async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        try await offPool {
            let connection = try PGConnection(url: url, connectTimeoutSeconds: 5, statementTimeoutMilliseconds: 10_000)
            try connection.executeScript("CREATE TABLE t (n int PRIMARY KEY)")
            try body(connection)
        }
    }

    @Test func firstStatementRunsInsideTheTransaction() async throws {
        try await withConnection { connection in
            // The first (pipelined) statement's insert is undone by the second statement's failure.
            let error = #expect(throws: StoreError.self) {
                try connection.transaction { () throws(StoreError) in
                    let inserted = try connection.execute("INSERT INTO t (n) VALUES ($1)", [.int(1)]).affectedRows
                    let seen = try connection.execute("SELECT count(*) FROM t").int(0, 0)
                    #expect(inserted == 1 && seen == 1)
                    try connection.execute("INSERT INTO t (n) VALUES ($1)", [.int(1)])
                }
            }
            #expect(error?.code == .constraint)
            #expect(connection.isHealthy)
            #expect(try connection.execute("SELECT count(*) FROM t").int(0, 0) == 0)
            // And a transaction that succeeds commits its first statement.
            let rows = try connection.transaction { () throws(StoreError) -> Int in
                try connection.execute("INSERT INTO t (n) VALUES ($1) RETURNING n", [.int(5)]).int(0, 0)
            }
            #expect(rows == 5)
            #expect(try connection.execute("SELECT n FROM t").int(0, 0) == 5)
        }
    }

    @Test func failingFirstStatementRollsBackAndTheConnectionStaysUsable() async throws {
        try await withConnection { connection in
            for _ in 0..<3 {
                #expect(throws: StoreError.self) {
                    try connection.transaction { () throws(StoreError) in
                        try connection.execute("SELECT $1::int FROM no_such_table", [.int(1)])
                    }
                }
                #expect(connection.isHealthy)
                // Not left inside an aborted transaction: a plain statement works.
                let sum = try connection.execute("SELECT $1::int + 1", [.int(1)]).int(0, 0)
                #expect(sum == 2)
            }
        }
    }

    @Test func scriptFirstAndEmptyBodies() async throws {
        try await withConnection { connection in
            // A script first (SET LOCAL) travels with the BEGIN; it stays local to the transaction.
            let inside = try connection.transaction { () throws(StoreError) -> String in
                try connection.executeScript("SET LOCAL statement_timeout = 1234")
                return try connection.execute("SHOW statement_timeout").string(0, 0)
            }
            #expect(inside == "1234ms")
            #expect(try connection.execute("SHOW statement_timeout").string(0, 0) == "10s")
            // A body that runs nothing sends nothing, and the next transaction starts cleanly.
            try connection.transaction { () throws(StoreError) -> Void in }
            try connection.transaction { () throws(StoreError) -> Void in
                _ = try connection.execute("INSERT INTO t (n) VALUES ($1)", [.int(9)])
            }
            #expect(try connection.execute("SELECT count(*) FROM t").int(0, 0) == 1)
            #expect(try connection.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = pg_backend_pid() AND state = 'active'").int(0, 0) == 1)
        }
    }
}
