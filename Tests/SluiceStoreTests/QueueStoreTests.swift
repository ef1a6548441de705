import Foundation
import Testing
import SluiceCore
@testable import SluiceStore

struct QueueStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func message(_ to: [String] = ["a@example.net", "b@example.net"]) -> OutboundMessage {
        OutboundMessage(from: "s@example.com", fromAddress: "s@example.com", to: to, subject: "s", text: "t", tags: [.init(name: "k", value: "v")])
    }

    private func queued(_ id: String, at date: Date? = nil) -> QueuedMessage {
        QueuedMessage(id: id, message: message(), nextAttemptAt: date ?? now, createdAt: date ?? now)
    }

    @Test func enqueueRoundTripsThePayloadDurably() async throws {
        let dir = try TemporaryDirectory()
        let store = try dir.openStore()
        var original = queued("m1")
        original.message.raw = Data("From: s\r\n\r\nbody".utf8)
        original.suppressed = [DroppedRecipient(address: "c@example.net", reason: "complaint")]
        #expect(try await store.enqueue(original, idempotency: nil) == .stored)
        store.close()
        let reopened = try dir.openStore()
        #expect(try await reopened.queuedMessage(id: "m1") == original)
        #expect(try await reopened.queuedMessage(id: "nope") == nil)
    }

    @Test func readyMessagesAreDueQueuedOnesOldestFirst() async throws {
        let dir = try TemporaryDirectory()
        let store = try dir.openStore()
        _ = try await store.enqueue(queued("later", at: now.addingTimeInterval(10)), idempotency: nil)
        _ = try await store.enqueue(queued("second", at: now.addingTimeInterval(-1)), idempotency: nil)
        _ = try await store.enqueue(queued("first", at: now.addingTimeInterval(-2)), idempotency: nil)
        let ready = try await store.readyMessages(at: now, limit: 10)
        #expect(ready.map(\.id) == ["first", "second"])
        #expect(ready.first == ReadyMessage(id: "first", identity: "example.com", recipientCount: 2))
        #expect(try await store.claim(id: "first", dropping: [], message: nil, at: now))
        #expect(try await store.readyMessages(at: now, limit: 10).map(\.id) == ["second"])
    }

    @Test func stateChangesFollowTheStateMachine() async throws {
        let dir = try TemporaryDirectory()
        let store = try dir.openStore()
        _ = try await store.enqueue(queued("m"), idempotency: nil)
        #expect(try await !store.markSent(id: "m", sesMessageId: "x", outbox: nil, at: now), "not sending yet")
        #expect(try await store.claim(id: "m", dropping: [], message: nil, at: now))
        #expect(try await !store.claim(id: "m", dropping: [], message: nil, at: now), "claimed once")
        #expect(try await store.requeue(id: "m", nextAttemptAt: now.addingTimeInterval(5), error: "429", countAttempt: true, at: now))
        var row = try #require(try await store.queuedMessage(id: "m"))
        #expect(row.state == .queued)
        #expect(row.attempts == 1)
        #expect(row.error == "429")
        #expect(row.nextAttemptAt == now.addingTimeInterval(5))
        #expect(try await !store.claim(id: "m", dropping: [], message: nil, at: now), "not before its backoff")
        let later = now.addingTimeInterval(5)
        #expect(try await store.claim(id: "m", dropping: [], message: nil, at: later))
        #expect(try await store.requeue(id: "m", nextAttemptAt: later, error: "paused", countAttempt: false, at: later))
        #expect(try await store.queuedMessage(id: "m")?.attempts == 1)
        #expect(try await store.claim(id: "m", dropping: [], message: nil, at: later))
        #expect(try await store.markSent(id: "m", sesMessageId: "ses-9", outbox: nil, at: later))
        row = try #require(try await store.queuedMessage(id: "m"))
        #expect(row.state == .sent)
        #expect(row.sesMessageId == "ses-9")
        #expect(row.attempts == 2)
        #expect(try await !store.markFailed(id: "m", error: "late", at: now), "final states stay final")
        let counts = try await store.queueCounts()
        #expect(counts[.sent] == 1)
        #expect(counts[.queued] == 0)
        #expect(counts.count == MessageState.allCases.count)
    }

    @Test func claimAndSuppressRecordDroppedRecipients() async throws {
        let dir = try TemporaryDirectory()
        let store = try dir.openStore()
        _ = try await store.enqueue(queued("m"), idempotency: nil)
        let dropped = [DroppedRecipient(address: "b@example.net", reason: "hard_bounce")]
        #expect(try await store.claim(id: "m", dropping: dropped, message: message(["a@example.net"]), at: now))
        let row = try #require(try await store.queuedMessage(id: "m"))
        #expect(row.message.recipients == ["a@example.net"])
        #expect(row.suppressed == dropped)

        _ = try await store.enqueue(queued("all"), idempotency: nil)
        let both = [DroppedRecipient(address: "a@example.net", reason: "manual"), DroppedRecipient(address: "b@example.net", reason: "manual")]
        #expect(try await store.markSuppressed(id: "all", dropping: both, at: now))
        #expect(try await store.queuedMessage(id: "all")?.state == .suppressed)
        #expect(try await store.queuedMessage(id: "all")?.suppressed == both)
    }

    @Test(arguments: [(InflightResolution.fail, MessageState.failed), (.resend, .queued)])
    func crashLeftoversAreResolved(resolution: InflightResolution, expected: MessageState) async throws {
        let dir = try TemporaryDirectory()
        let store = try dir.openStore()
        for id in ["old", "busy", "young"] { _ = try await store.enqueue(queued(id, at: now.addingTimeInterval(-100)), idempotency: nil) }
        #expect(try await store.claim(id: "old", dropping: [], message: nil, at: now.addingTimeInterval(-100)))
        #expect(try await store.claim(id: "busy", dropping: [], message: nil, at: now.addingTimeInterval(-100)))
        #expect(try await store.claim(id: "young", dropping: [], message: nil, at: now))
        let recovered = try await store.recoverInflight(
            claimedBefore: now.addingTimeInterval(-30), resolution: resolution, excluding: ["busy"], at: now)
        #expect(recovered == 1)
        #expect(try await store.queuedMessage(id: "old")?.state == expected)
        #expect(try await store.queuedMessage(id: "busy")?.state == .sending)
        #expect(try await store.queuedMessage(id: "young")?.state == .sending)
    }

    @Test func eventsAreFoundBySESMessageId() async throws {
        let dir = try TemporaryDirectory()
        let store = try dir.openStore()
        let events = [
            RecipientEvent(kind: .delivery, address: "a@example.net", sesMessageId: "ses-1", timestamp: now),
            RecipientEvent(kind: .hardBounce, address: "b@example.net", sesMessageId: "ses-1", timestamp: now, subtype: "General"),
            RecipientEvent(kind: .delivery, address: "c@example.net", sesMessageId: "ses-2", timestamp: now),
        ]
        let inbound = InboundMessage(messageId: "sns-1", type: "Notification", topicArn: "arn:aws:sns:us-east-1:1:t", timestamp: now, receivedAt: now, endpoint: "default", rawCompressed: [0])
        _ = try await store.ingest(inbound, events: events, policy: TestPolicy())
        let found = try await store.events(sesMessageId: "ses-1", limit: 10)
        #expect(found.map(\.event.kind) == [.delivery, .hardBounce])
        #expect(found.map(\.event.address) == ["a@example.net", "b@example.net"])
        #expect(try await store.events(sesMessageId: "ses-3", limit: 10).isEmpty)
    }
}
