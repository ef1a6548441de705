import Foundation
import SluiceCore
@testable import SluicePostgres
import SluiceTestSupport
import Testing

/// A purge that meets a row another instance is changing waits for it and judges the row's new version:
/// under READ COMMITTED only the DELETE's own WHERE is evaluated again, so it repeats the subquery's condition.
@Suite(.serialized) struct PostgresPurgeRaceTests {
    let now = referenceDate

    /// Another instance holds the row's lock while it makes the suppression permanent; the purge, which found
    /// it expired, waits, then must leave it.
    @Test func anExpiredSuppressionMadePermanentMeanwhileIsNotPurged() async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        let store = try await PostgresFixture.openStore(url: url, poolSize: 2)
        defer { store.close() }
        let address = "race@example.com"
        try await store.putManual(.make(address: address, reason: .softBounceLimit, expiresAt: now.addingTimeInterval(-60)))
        try await store.putManual(.make(address: "gone@example.com", reason: .softBounceLimit, expiresAt: now.addingTimeInterval(-60)))

        let other = try await PostgresSession.open(url)
        try await other.run { connection in
            try connection.executeScript("BEGIN")
            try connection.execute(
                "UPDATE suppressions SET reason = 'hard_bounce', expires_at = NULL WHERE address = $1", [.text(address)])
        }
        let purge = Task { try await store.purgeExpired(at: now) }
        let observer = try await PostgresSession.open(url)
        #expect(try await observer.waitForLockWaiters(), "the purge waits for the row lock")
        try await other.run { connection in try connection.executeScript("COMMIT") }

        #expect(try await purge.value == 1, "only the row still expired")
        let kept = try #require(try await store.suppression(for: address, scope: nil, at: now))
        #expect(kept.reason == .hardBounce)
        #expect(kept.expiresAt == nil)
        #expect(try await store.suppressions(of: "gone@example.com").isEmpty)
    }

    /// A bounce that starts a new soft-bounce window while the purge waits keeps its counter.
    @Test func aSoftBounceWindowRestartedMeanwhileIsNotPurged() async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        let store = try await PostgresFixture.openStore(url: url, poolSize: 2)
        defer { store.close() }
        let other = try await PostgresSession.open(url)
        let old = PGValue.milliseconds(now.addingTimeInterval(-30 * 86_400))
        try await other.run { connection in
            try connection.execute("""
                INSERT INTO soft_bounces (address, count, window_start, last_bounce) VALUES ('soft@example.com', 2, $1, $1)
                """, [.text(String(old))])
            try connection.executeScript("BEGIN")
            try connection.execute(
                "UPDATE soft_bounces SET count = 1, window_start = $1, last_bounce = $1 WHERE address = 'soft@example.com'",
                [.date(now)])
        }
        let purge = Task { try await store.purgeSoftBounces(windowStartedBefore: now.addingTimeInterval(-86_400)) }
        let observer = try await PostgresSession.open(url)
        #expect(try await observer.waitForLockWaiters())
        try await other.run { connection in try connection.executeScript("COMMIT") }

        #expect(try await purge.value == 0)
        let count = try await observer.run { connection in
            try connection.execute("SELECT count FROM soft_bounces WHERE address = 'soft@example.com'").int(0, 0)
        }
        #expect(count == 1)
    }
}
