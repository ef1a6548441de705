import Foundation
import SluiceCore
import Testing

/// Send-queue behaviour both backends must show (state changes with counters, pacing deferral, retention),
/// written against the SluiceCore protocols only. Each check gets a fresh, empty store.
enum QueueConformance {
    typealias Store = any OutboundQueueStore & CounterStore & QueuePacingStore & OperationalRetentionStore

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func queued(_ id: String, at date: Date = now, to: [String] = ["a@example.net", "b@example.net"]) -> QueuedMessage {
        let message = OutboundMessage(from: "s@example.com", fromAddress: "s@example.com", to: to, subject: "s", text: "t")
        return QueuedMessage(id: id, message: message, nextAttemptAt: date, createdAt: date)
    }

    private static func sends(_ store: Store) async throws -> Int {
        try await store.hourlyCounters(from: .distantPast, to: .distantFuture).filter { $0.kind == .send }.map(\.count).reduce(0, +)
    }

    /// The send counter commits with `sending` → `sent`, and a stale mark (not `sending`) counts nothing.
    static func markSentCountsInTheSameTransaction(_ store: Store) async throws {
        _ = try await store.enqueue(queued("m"), idempotency: nil)
        let counting = SentRecipients(identity: "example.com", count: 2)
        #expect(try await !store.markSent(id: "m", sesMessageId: "ses-1", outbox: nil, counting: counting, at: now), "not sending yet")
        #expect(try await sends(store) == 0)
        #expect(try await store.claim(id: "m", dropping: [], message: nil, at: now))
        #expect(try await store.markSent(id: "m", sesMessageId: "ses-1", outbox: nil, counting: counting, at: now))
        #expect(try await sends(store) == 2)
        #expect(try await !store.markSent(id: "m", sesMessageId: "ses-1", outbox: nil, counting: counting, at: now), "marked once")
        #expect(try await sends(store) == 2)
        let counters = try await store.hourlyCounters(from: .distantPast, to: .distantFuture)
        #expect(counters.allSatisfy { $0.identity == "example.com" })
    }

    /// A worker's ready list can name a message that was tried and put back with a backoff since: claiming it
    /// then would call SES again at once (during throttling, say). Not before its next attempt time.
    static func claimWaitsForTheBackoffOfARequeuedMessage(_ store: Store) async throws {
        _ = try await store.enqueue(queued("m"), idempotency: nil)
        let listed = try await store.readyMessages(at: now, limit: 10, excludingIdentities: [])
        #expect(listed.map(\.id) == ["m"])
        #expect(try await store.claim(id: "m", dropping: [], message: nil, at: now))
        let backoff = now.addingTimeInterval(30)
        #expect(try await store.requeue(id: "m", nextAttemptAt: backoff, error: "throttled", countAttempt: true, at: now))
        #expect(try await !store.claim(id: "m", dropping: [], message: nil, at: now.addingTimeInterval(1)), "claimed inside its backoff")
        #expect(try await store.queuedMessage(id: "m")?.state == .queued)
        #expect(try await store.queuedMessage(id: "m")?.attempts == 1)
        // A worker claims up to its reservation lead ahead of the send time (a pacing slot, say).
        #expect(try await store.claim(id: "m", dropping: [], message: nil, at: backoff.addingTimeInterval(-0.2), dueBy: backoff))
        #expect(try await store.queuedMessage(id: "m")?.attempts == 2)
    }

    /// A claim recovered as crashed (a hung instance) and claimed again: the first claimant's late outcome,
    /// made for its own claim, changes nothing; the second claimant's does.
    static func lateOutcomeOfARecoveredClaimChangesNothing(_ store: Store) async throws {
        _ = try await store.enqueue(queued("m", at: now.addingTimeInterval(-200)), idempotency: nil)
        let first = now.addingTimeInterval(-100)
        #expect(try await store.claim(id: "m", dropping: [], message: nil, at: first))
        #expect(try await store.recoverInflight(claimedBefore: now.addingTimeInterval(-30), resolution: .resend, excluding: [], at: now) == 1)
        #expect(try await store.claim(id: "m", dropping: [], message: nil, at: now))
        #expect(try await !store.requeue(id: "m", nextAttemptAt: now, error: "late", countAttempt: false, claimedAt: first, at: now))
        #expect(try await !store.markSent(id: "m", sesMessageId: "ses-old", outbox: nil, counting: nil, claimedAt: first, at: now))
        #expect(try await !store.markFailed(id: "m", error: "late", claimedAt: first, at: now))
        #expect(try await store.queuedMessage(id: "m")?.state == .sending)
        #expect(try await store.markSent(id: "m", sesMessageId: "ses-new", outbox: nil, counting: nil, claimedAt: now, at: now))
        #expect(try await store.queuedMessage(id: "m")?.sesMessageId == "ses-new")
    }

    /// Deferred messages leave the ready list until their new time; other states are left alone.
    static func deferQueuedMovesOnlyQueuedRows(_ store: Store) async throws {
        for id in ["gmail-1", "gmail-2", "other"] { _ = try await store.enqueue(queued(id), idempotency: nil) }
        #expect(try await store.claim(id: "gmail-2", dropping: [], message: nil, at: now))
        let later = now.addingTimeInterval(5)
        #expect(try await store.deferQueued(["gmail-1": later, "gmail-2": later, "missing": later], at: now) == 1)
        #expect(try await store.readyMessages(at: now, limit: 10).map(\.id) == ["other"])
        #expect(try await store.readyMessages(at: later, limit: 10).map(\.id).sorted() == ["gmail-1", "other"])
        #expect(try await store.queuedMessage(id: "gmail-2")?.state == .sending)
        #expect(try await store.deferQueued([:], at: now) == 0)
    }

    /// Excluded identities (paused on their own) are left out by the query itself, so a paused identity's
    /// backlog never fills a batch ahead of other identities' mail; the set is bound, never spliced into SQL.
    static func readyMessagesLeaveOutExcludedIdentities(_ store: Store) async throws {
        func from(_ sender: String, _ id: String, at date: Date) -> QueuedMessage {
            let message = OutboundMessage(from: sender, fromAddress: sender, to: ["r@example.net"], subject: "s", text: "t")
            return QueuedMessage(id: id, message: message, nextAttemptAt: date, createdAt: date)
        }
        for i in 0..<3 { _ = try await store.enqueue(from("x@a.example.com", "a-\(i)", at: now.addingTimeInterval(Double(i) - 10)), idempotency: nil) }
        _ = try await store.enqueue(from("y@b.example.com", "b-0", at: now.addingTimeInterval(-2)), idempotency: nil)
        _ = try await store.enqueue(from("z@c.example.com", "c-0", at: now.addingTimeInterval(-1)), idempotency: nil)
        _ = try await store.enqueue(from("w@b.example.com", "b-later", at: now.addingTimeInterval(60)), idempotency: nil)

        #expect(try await store.readyMessages(at: now, limit: 2).map(\.id) == ["a-0", "a-1"], "without exclusions: oldest first")
        #expect(try await store.readyMessages(at: now, limit: 1, excludingIdentities: ["a.example.com"]).map(\.id) == ["b-0"])
        let rest = try await store.readyMessages(at: now, limit: 10, excludingIdentities: ["a.example.com"])
        #expect(rest.map(\.id) == ["b-0", "c-0"])
        #expect(rest.map(\.identity) == ["b.example.com", "c.example.com"])
        #expect(try await store.readyMessages(at: now, limit: 10, excludingIdentities: ["a.example.com", "c.example.com"]).map(\.id) == ["b-0"])
        #expect(try await store.readyMessages(at: now, limit: 10, excludingIdentities: []).count == 5)
        // Names needing quoting in a JSON or array literal are values like any other.
        let odd: Set<String> = [#"a.example.com", "b.example.com"#, #"x\"}'; DROP TABLE outbound_messages; --"#, "a.example.com"]
        #expect(try await store.readyMessages(at: now, limit: 10, excludingIdentities: odd).map(\.id) == ["b-0", "c-0"])
        #expect(try await store.readyMessages(at: now.addingTimeInterval(60), limit: 10, excludingIdentities: ["a.example.com"]).map(\.id)
            == ["b-0", "c-0", "b-later"])
    }

    /// Only finished messages older than the cutoff go; queued and in-flight ones stay whatever their age.
    static func retentionPurgesOnlyOldFinishedMessagesAndCounters(_ store: Store) async throws {
        let old = now.addingTimeInterval(-40 * 86_400)
        for id in ["old-sent", "old-queued", "old-sending", "new-sent"] {
            _ = try await store.enqueue(queued(id, at: id.hasPrefix("old") ? old : now), idempotency: nil)
        }
        for (id, date) in [("old-sent", old), ("old-sending", old), ("new-sent", now)] {
            #expect(try await store.claim(id: id, dropping: [], message: nil, at: date))
        }
        #expect(try await store.markSent(id: "old-sent", sesMessageId: "s1", outbox: nil, counting: .init(identity: "example.com", count: 2), at: old))
        #expect(try await store.markSent(id: "new-sent", sesMessageId: "s2", outbox: nil, counting: .init(identity: "example.com", count: 2), at: now))
        let cutoff = now.addingTimeInterval(-30 * 86_400)
        #expect(try await store.purgeFinishedMessages(olderThan: cutoff) == 1)
        #expect(try await store.queuedMessage(id: "old-sent") == nil)
        for id in ["old-queued", "old-sending", "new-sent"] { #expect(try await store.queuedMessage(id: id) != nil, "\(id) kept") }
        #expect(try await store.purgeHourlyCounters(olderThan: cutoff) >= 1)
        #expect(try await sends(store) == 2, "only the recent hour's sends remain")
        #expect(try await store.purgeFinishedMessages(olderThan: cutoff) == 0)
    }
}
