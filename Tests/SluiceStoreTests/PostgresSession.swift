import Foundation
import SluiceCore
@testable import SluicePostgres
import SluiceTestSupport

/// A `PGConnection` a test drives step by step from async code (hold a lock, let the store run, release).
final class PostgresSession: @unchecked Sendable {
    // @unchecked: the connection is used by one `offPool` call at a time, each awaited before the next.
    private let connection: PGConnection

    private init(_ connection: PGConnection) { self.connection = connection }

    static func open(_ url: String) async throws -> PostgresSession {
        try await offPool { PostgresSession(try PGConnection(url: url, connectTimeoutSeconds: 5, statementTimeoutMilliseconds: 10_000)) }
    }

    /// Runs `body` with the connection on a thread of its own.
    func run<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        try await offPool { try body(self.connection) }
    }

    /// Waits until `count` sessions of this database wait for a lock; false after 10 s.
    func waitForLockWaiters(_ count: Int = 1) async throws -> Bool {
        try await eventually {
            try await self.run { connection in
                try connection.execute("""
                    SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                    """).int(0, 0) >= count
            }
        }
    }
}
