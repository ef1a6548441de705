import Foundation
import SluiceCore
@testable import SluicePostgres
import SluiceTestSupport
import Testing

/// The queue as the send worker uses it, on both backends: claims that return what they committed, crash
/// recovery that caps resends, pacing deferrals that never bring a retry forward, and (PostgreSQL) a lease
/// kept on the database server's clock.
@Suite(.serialized) struct QueueLeaseTests {
    typealias Store = any OutboundQueueStore & QueuePacingStore
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func queued(_ id: String, at date: Date, raw: Data? = nil) -> QueuedMessage {
        let message = OutboundMessage(from: "s@example.com", fromAddress: "s@example.com", to: ["a@example.net"], subject: "s", text: "t", raw: raw)
        return QueuedMessage(id: id, message: message, nextAttemptAt: date, createdAt: date)
    }

    /// Runs `body` on a fresh SQLite file, then on a fresh PostgreSQL database.
    private func onBothBackends(_ body: (Store, String) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        let sqlite = try directory.openStore()
        defer { sqlite.close() }
        try await body(sqlite, "sqlite")
        let postgres = try await PostgresFixture.openStore()
        defer { postgres.close() }
        try await body(postgres, "postgres")
    }

    /// The claim hands back the attempts it committed, not what the caller read before it.
    @Test func claimReturnsTheCommittedAttemptsAndItsStamp() async throws {
        try await onBothBackends { store, backend in
            _ = try await store.enqueue(queued("m", at: now), idempotency: nil)
            let stale = try #require(try await store.queuedMessage(id: "m"))
            #expect(try await store.claim(id: "m", dropping: [], message: nil, at: now))
            #expect(try await store.requeue(id: "m", nextAttemptAt: now, error: "500", countAttempt: true, at: now))
            let claim = try #require(try await store.claim(id: "m", dropping: [], message: nil, at: now, dueBy: now, clock: .caller), "\(backend)")
            // The caller read 0 before another claim and retry: counting on its read would say 1; the store committed 2.
            #expect(stale.attempts == 0)
            #expect(claim.attempts == 2, "\(backend)")
            #expect(try await store.queuedMessage(id: "m")?.attempts == claim.attempts, "\(backend)")
            #expect(try await store.markSent(id: "m", sesMessageId: "ses-1", outbox: nil, counting: nil, claimedAt: claim.claimedAt, at: now), "\(backend)")
            #expect(try await store.claim(id: "m", dropping: [], message: nil, at: now, dueBy: now, clock: .store) == nil, "not queued")
        }
    }

    /// `resend` recovery fails a message whose interrupted call was its last allowed attempt: a message that
    /// takes the process down with it is not re-queued forever.
    @Test func resendRecoveryFailsMessagesWithNoAttemptsLeft() async throws {
        try await onBothBackends { store, backend in
            let old = now.addingTimeInterval(-100)
            for id in ["spent", "fresh"] { _ = try await store.enqueue(queued(id, at: old), idempotency: nil) }
            for _ in 0..<2 {
                #expect(try await store.claim(id: "spent", dropping: [], message: nil, at: old))
                #expect(try await store.requeue(id: "spent", nextAttemptAt: old, error: "500", countAttempt: true, at: old))
            }
            #expect(try await store.claim(id: "spent", dropping: [], message: nil, at: old))
            #expect(try await store.claim(id: "fresh", dropping: [], message: nil, at: old))
            let recovered = try await store.recoverInflight(
                olderThan: 30, maxAttempts: 3, resolution: .resend, excluding: [], at: now, clock: .caller)
            #expect(recovered == 2, "\(backend)")
            let spent = try #require(try await store.queuedMessage(id: "spent"))
            #expect(spent.state == .failed, "\(backend)")
            #expect(spent.attempts == 3)
            #expect(spent.error == QueueStateMachine.exhaustedRecoveryError(maxAttempts: 3))
            let fresh = try #require(try await store.queuedMessage(id: "fresh"))
            #expect(fresh.state == .queued, "\(backend)")
            #expect(fresh.error == QueueStateMachine.recovery(.resend).error)
        }
    }

    /// Pacing makes a message due later, never earlier than a retry's backoff set since it was listed.
    @Test func deferQueuedNeverBringsAMessageForward() async throws {
        try await onBothBackends { store, backend in
            _ = try await store.enqueue(queued("m", at: now), idempotency: nil)
            #expect(try await store.claim(id: "m", dropping: [], message: nil, at: now))
            let backoff = now.addingTimeInterval(300)
            #expect(try await store.requeue(id: "m", nextAttemptAt: backoff, error: "throttled", countAttempt: false, at: now))
            _ = try await store.deferQueued(["m": now.addingTimeInterval(5)], at: now)
            #expect(try await store.queuedMessage(id: "m")?.nextAttemptAt == backoff, "\(backend)")
            let later = now.addingTimeInterval(600)
            #expect(try await store.deferQueued(["m": later], at: now) == 1)
            #expect(try await store.queuedMessage(id: "m")?.nextAttemptAt == later, "\(backend)")
        }
    }

    /// The listing carries each payload's stored size (the in-flight byte budget's weight).
    @Test func readyMessagesCarryTheStoredPayloadSize() async throws {
        try await onBothBackends { store, backend in
            let message = queued("big", at: now, raw: Data(repeating: 0x41, count: 100_000))
            _ = try await store.enqueue(message, idempotency: nil)
            let ready = try await store.readyMessages(at: now, limit: 10)
            #expect(ready.map(\.payloadBytes) == [message.message.jsonBytes().count], "\(backend)")
        }
    }

    /// PostgreSQL stamps a claim and ages it on the server's clock: an instance whose clock is far off neither
    /// stamps its claims in its own time nor recovers live claims of others.
    @Test func postgresLeaseUsesTheServerClock() async throws {
        try await PostgresFixture.withTwoStores { claimant, recoverer in
            // `now` is in 2027: far from the server's clock.
            _ = try await claimant.enqueue(queued("m", at: now.addingTimeInterval(-60)), idempotency: nil)
            let claim = try #require(try await claimant.claim(id: "m", dropping: [], message: nil, at: now, dueBy: now, clock: .store))
            #expect(claim.attempts == 1)
            #expect(abs(claim.claimedAt.timeIntervalSince(Date())) < 600, "stamped \(claim.claimedAt), not by the server's clock")
            #expect(try await claimant.queuedMessage(id: "m")?.claimedAt.map(PGValue.milliseconds) == PGValue.milliseconds(claim.claimedAt))
            // The recoverer's clock says 2027: by it the claim is a year old, by the server's seconds.
            #expect(try await recoverer.recoverInflight(olderThan: 90, maxAttempts: 8, resolution: .resend, excluding: [], at: now, clock: .store) == 0)
            #expect(try await recoverer.queuedMessage(id: "m")?.state == .sending)
            // The outcome applies to the claim by its returned stamp.
            #expect(try await claimant.markSent(id: "m", sesMessageId: "ses-1", outbox: nil, counting: nil, claimedAt: claim.claimedAt, at: now))
            #expect(try await recoverer.queuedMessage(id: "m")?.state == .sent)
        }
    }
}
