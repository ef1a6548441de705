import Foundation
import Testing
import SluiceCore
@testable import SluiceStore

struct IdempotencyStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func record(_ key: String, hash: String = "h1", status: Int = 202, at date: Date? = nil) -> IdempotencyRecord {
        IdempotencyRecord(key: key, requestHash: hash, status: status, body: Array(#"{"id":"m"}"#.utf8), messageId: "m", createdAt: date ?? now)
    }

    private func message(_ id: String) -> QueuedMessage {
        QueuedMessage(
            id: id, message: OutboundMessage(from: "s@example.com", fromAddress: "s@example.com", to: ["r@example.net"], subject: "s", text: "t"),
            nextAttemptAt: now, createdAt: now)
    }

    @Test func enqueueWithAKeyStoresOnceThenReplaysOrConflicts() async throws {
        let dir = try TemporaryDirectory()
        let store = try dir.openStore()
        #expect(try await store.enqueue(message("m1"), idempotency: record("k")) == .stored)
        #expect(try await store.enqueue(message("m2"), idempotency: record("k")) == .replay(record("k")))
        #expect(try await store.enqueue(message("m3"), idempotency: record("k", hash: "other")) == .conflict)
        #expect(try await store.queuedMessage(id: "m1") != nil)
        #expect(try await store.queuedMessage(id: "m2") == nil)
        #expect(try await store.queuedMessage(id: "m3") == nil)
        #expect(try await store.idempotencyRecord(key: "k") == record("k"))
    }

    @Test func concurrentRepeatsQueueExactlyOneMessage() async throws {
        let dir = try TemporaryDirectory()
        let store = try dir.openStore()
        let outcomes = try await withThrowingTaskGroup(of: IdempotentWriteOutcome.self) { group in
            for n in 0..<20 {
                group.addTask { try await store.enqueue(message("c\(n)"), idempotency: record("same")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .stored }.count == 1)
        #expect(try await store.queueCounts()[.queued] == 1)
    }

    @Test func answersWithoutAMessageAreKeptAndPurgedByAge() async throws {
        let dir = try TemporaryDirectory()
        let store = try dir.openStore()
        #expect(try await store.saveIdempotency(record("old", status: 422, at: now.addingTimeInterval(-90_000))) == .stored)
        #expect(try await store.saveIdempotency(record("new", status: 422)) == .stored)
        #expect(try await store.saveIdempotency(record("new", status: 422)) == .replay(record("new", status: 422)))
        #expect(try await store.purgeIdempotency(createdBefore: now.addingTimeInterval(-86_400)) == 1)
        #expect(try await store.idempotencyRecord(key: "old") == nil)
        #expect(try await store.idempotencyRecord(key: "new") != nil)
    }

    @Test func keysAreBounded() async throws {
        let dir = try TemporaryDirectory()
        let store = try dir.openStore()
        let error = await #expect(throws: StoreError.self) { try await store.saveIdempotency(record(String(repeating: "k", count: 256))) }
        #expect(error?.code == .invalidInput)
    }
}
