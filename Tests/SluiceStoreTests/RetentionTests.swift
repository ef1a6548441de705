import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// Purges of finished queue rows and old hourly counters, on real database files.
struct RetentionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let day: TimeInterval = 86_400

    private func queued(_ id: String, at date: Date) -> QueuedMessage {
        let message = OutboundMessage(from: "s@example.com", fromAddress: "s@example.com", to: ["a@example.net"], subject: "s", text: "t")
        return QueuedMessage(id: id, message: message, nextAttemptAt: date, createdAt: date)
    }

    /// Enqueues `id` at `date` and drives it to `state` at the same time.
    private func place(_ id: String, _ state: MessageState, at date: Date, in store: SQLiteStore) async throws {
        _ = try await store.enqueue(queued(id, at: date), idempotency: nil)
        switch state {
        case .queued: return
        case .suppressed: #expect(try await store.markSuppressed(id: id, dropping: [], at: date))
        case .sending, .sent, .failed:
            #expect(try await store.claim(id: id, dropping: [], message: nil, at: date))
            if state == .sent { #expect(try await store.markSent(id: id, sesMessageId: "ses-\(id)", outbox: nil, at: date)) }
            if state == .failed { #expect(try await store.markFailed(id: id, error: "permanent", at: date)) }
        }
    }

    @Test func finishedMessagesOlderThanTheCutoffAreDeletedOthersStay() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        let old = now.addingTimeInterval(-40 * day)
        for state in MessageState.allCases { try await place("old-\(state.rawValue)", state, at: old, in: store) }
        for state in MessageState.allCases { try await place("new-\(state.rawValue)", state, at: now, in: store) }
        // Created long ago but finished recently: kept until it has been final for the whole retention.
        try await place("late", .queued, at: old, in: store)
        #expect(try await store.claim(id: "late", dropping: [], message: nil, at: now))
        #expect(try await store.markSent(id: "late", sesMessageId: nil, outbox: nil, at: now))

        #expect(try await store.purgeFinishedMessages(olderThan: now.addingTimeInterval(-30 * day)) == 3)
        for state in MessageState.allCases {
            let oldRow = try await store.queuedMessage(id: "old-\(state.rawValue)")
            #expect((oldRow == nil) == state.isFinal, "old \(state)")
            #expect(try await store.queuedMessage(id: "new-\(state.rawValue)") != nil, "new \(state)")
        }
        #expect(try await store.queuedMessage(id: "late") != nil)
        #expect(try await store.purgeFinishedMessages(olderThan: now.addingTimeInterval(-30 * day)) == 0)
    }

    @Test func largePurgesRunInBoundedWriterJobs() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        let old = Statement.milliseconds(now.addingTimeInterval(-10 * day))
        // 12,001 old hourly counters written directly (one transaction), plus one recent one.
        try await store.writer.submit { database throws(StoreError) in
            for index in 0..<12_001 {
                try database.run("INSERT INTO hourly_counters (hour_start, identity, kind, count) VALUES (?1, ?2, 'send', 1)") {
                    $0.bind(old - Int64(index / 100) * 3_600_000, at: 1)
                    $0.bind("identity-\(index % 100).example.com", at: 2)
                }
            }
        }
        try await store.recordSends(identity: "example.com", count: 5, at: now)
        let before = store.writerStatistics.jobs
        #expect(try await store.purgeHourlyCounters(olderThan: now.addingTimeInterval(-8 * day)) == 12_001)
        #expect(store.writerStatistics.jobs - before == 3)  // 5000 + 5000 + 2001
        let left = try await store.hourlyCounters(from: now.addingTimeInterval(-30 * day), to: now.addingTimeInterval(day))
        #expect(left.map(\.count) == [5])
    }

    @Test func countersInsideTheMonitoringWindowAreKept() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        for hoursAgo in [0, 24, 7 * 24, 8 * 24 - 1, 8 * 24, 9 * 24] {
            try await store.recordSends(identity: "example.com", count: 1, at: now.addingTimeInterval(-Double(hoursAgo) * 3600))
        }
        #expect(try await store.purgeHourlyCounters(olderThan: now.addingTimeInterval(-8 * day)) == 1)  // only 9 days ago
        let left = try await store.hourlyCounters(from: now.addingTimeInterval(-30 * day), to: now.addingTimeInterval(day))
        #expect(left.count == 5)
    }
}
