import Foundation
import SluiceCore
@testable import SluicePostgres
import SluiceTestSupport
import Testing

/// `PGPool` refuses a job that finds no connection free within its wait limit, and never runs it late.
@Suite(.serialized) struct PostgresPoolTests {
    private func pool(size: Int, maxWaitMilliseconds: Int?) async throws -> PGPool {
        let url = try await PostgresTestServer.shared().createDatabase()
        let connect: @Sendable () throws(StoreError) -> PGConnection = {
            try PGConnection(url: url, connectTimeoutSeconds: 5, statementTimeoutMilliseconds: 10_000)
        }
        let pool = PGPool(
            size: size, first: nil, maxWaitMilliseconds: maxWaitMilliseconds,
            logger: PostgresStore.silentLogger, connect: connect)
        try await pool.run { connection throws(StoreError) in try connection.executeScript("CREATE TABLE t (n int PRIMARY KEY)") }
        return pool
    }

    /// A job that takes the pool's only connection and keeps it until `release` (at most 60 s).
    private func holdTheConnection(_ pool: PGPool, release: DispatchSemaphore) async -> Task<Int, any Error> {
        let holding = DispatchSemaphore(value: 0)
        let job = Task {
            try await pool.run { connection throws(StoreError) in
                holding.signal()
                _ = release.wait(timeout: .now() + 60)
                return try connection.execute("SELECT 1").rowCount
            }
        }
        let held = await offPool { holding.wait(timeout: .now() + 60) == .success }
        #expect(held, "the holding job never got the connection")
        return job
    }

    @Test func aJobThatWaitsPastTheLimitIsRefusedAndNeverRuns() async throws {
        let pool = try await pool(size: 1, maxWaitMilliseconds: 200)
        defer { pool.close() }
        // The only connection is busy until the refusal is seen.
        let release = DispatchSemaphore(value: 0)
        let slow = await holdTheConnection(pool, release: release)
        let started = ContinuousClock.now
        let error = await #expect(throws: StoreError.self) {
            try await pool.run { connection throws(StoreError) in
                try connection.execute("INSERT INTO t (n) VALUES (1)").affectedRows
            }
        }
        let waited = ContinuousClock.now - started
        #expect(error?.code == .busy)
        #expect(error?.isTransient == true)
        // It waited out its limit (a lower bound: load can only make it later).
        #expect(waited >= .milliseconds(150))
        release.signal()
        #expect(try await slow.value == 1)
        // The refused job was skipped when the connection came free: its insert never happened.
        let count = try await pool.run { connection throws(StoreError) in try connection.execute("SELECT count(*) FROM t").int(0, 0) }
        #expect(count == 0)
    }

    /// Work that must not be dropped (a send's outcome) waits past the limit.
    @Test func aPatientJobWaitsPastTheLimit() async throws {
        let pool = try await pool(size: 1, maxWaitMilliseconds: 100)
        defer { pool.close() }
        let release = DispatchSemaphore(value: 0)
        let slow = await holdTheConnection(pool, release: release)
        let patient = Task {
            try await pool.run(patient: true) { connection throws(StoreError) in
                try connection.execute("INSERT INTO t (n) VALUES (1)").affectedRows
            }
        }
        // The connection comes free only well past the 100 ms limit.
        try await Task.sleep(for: .milliseconds(400))
        release.signal()
        #expect(try await patient.value == 1)
        #expect(try await slow.value == 1)
    }

    @Test func withoutALimitAQueuedJobWaitsForItsTurn() async throws {
        let pool = try await pool(size: 1, maxWaitMilliseconds: nil)
        defer { pool.close() }
        let release = DispatchSemaphore(value: 0)
        let slow = await holdTheConnection(pool, release: release)
        let queued = Task {
            try await pool.run { connection throws(StoreError) in
                try connection.execute("INSERT INTO t (n) VALUES (1)").affectedRows
            }
        }
        try await Task.sleep(for: .milliseconds(400))
        release.signal()
        #expect(try await queued.value == 1)
        #expect(try await slow.value == 1)
    }

    @Test func jobsWithinTheLimitAllRun() async throws {
        // Four connections, forty short jobs at once: each waits far less than the limit.
        let pool = try await pool(size: 4, maxWaitMilliseconds: 5_000)
        defer { pool.close() }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<40 {
                group.addTask {
                    try await pool.run { connection throws(StoreError) in
                        try connection.execute("INSERT INTO t (n) VALUES ($1)", [.int(n)]).affectedRows
                    }
                }
            }
            var total = 0
            for try await inserted in group { total += inserted }
            #expect(total == 40)
        }
    }
}
