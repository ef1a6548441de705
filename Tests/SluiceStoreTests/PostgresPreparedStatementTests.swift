import Foundation
import SluiceCore
@testable import SluicePostgres
import SluiceTestSupport
import Testing

/// `PGConnection.execute` prepares each SQL text once per connection: results must be those of an
/// unprepared run, failures must not poison the cache, and the cache must survive a ROLLBACK.
@Suite(.serialized) struct PostgresPreparedStatementTests {
    private func withConnection(_ body: @escaping @Sendable (PGConnection) throws -> Void) async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        try await offPool {
            let connection = try PGConnection(url: url, connectTimeoutSeconds: 5, statementTimeoutMilliseconds: 10_000)
            try body(connection)
        }
    }

    @Test func repeatedStatementSeesEachCallsParameters() async throws {
        try await withConnection { connection in
            for value in [1, 2, 40, -7] {
                let result = try connection.execute("SELECT $1::bigint * 2, $2::text", [.int(value), .text("v\(value)")])
                #expect(result.int(0, 0) == value * 2)
                #expect(result.string(0, 1) == "v\(value)")
            }
        }
    }

    @Test func failedStatementIsNotCachedAndFailsAgainWithItsOwnError() async throws {
        try await withConnection { connection in
            for _ in 0..<2 {
                var failed = false
                do { _ = try connection.execute("SELECT $1::int FROM no_such_table", [.int(1)]) } catch { failed = true }
                #expect(failed)
            }
            try connection.executeScript("CREATE TABLE later (n int)")
            // The same text now works: it was never recorded as prepared while it failed.
            let rows = try connection.execute("SELECT $1::int FROM later", [.int(1)]).rowCount
            let count = try connection.execute("SELECT count(*) FROM later WHERE n = $1", [.int(1)]).int(0, 0)
            #expect(rows == 0)
            #expect(count == 0)
        }
    }

    @Test func preparedStatementSurvivesRollback() async throws {
        try await withConnection { connection in
            try connection.executeScript("CREATE TABLE items (n int PRIMARY KEY)")
            let insert = "INSERT INTO items (n) VALUES ($1)"
            var rolledBack = false
            do {
                try connection.transaction { () throws(StoreError) -> Void in
                    _ = try connection.execute(insert, [.int(1)])
                    throw StoreError(.io, "roll back")
                }
            } catch {
                rolledBack = true
            }
            #expect(rolledBack)
            try connection.transaction { () throws(StoreError) -> Void in _ = try connection.execute(insert, [.int(2)]) }
            let rows = try connection.execute("SELECT n FROM items ORDER BY n")
            #expect(rows.rowCount == 1)
            #expect(rows.int(0, 0) == 2)
        }
    }

    @Test func moreTextsThanTheCacheHoldsStillRun() async throws {
        try await withConnection { connection in
            for index in 0..<(PGConnection.preparedLimit + 20) {
                let sql = "SELECT $1::int + " + String(index)
                let value = try connection.execute(sql, [.int(1)]).int(0, 0)
                #expect(value == 1 + index)
            }
        }
    }
}
