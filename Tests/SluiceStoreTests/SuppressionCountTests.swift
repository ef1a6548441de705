import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// Schema v3: `suppression_counts` is kept by the store's writes (per chunk for imports), not by triggers.
struct SuppressionCountTests {
    /// Counts per reason recomputed from every stored row (active at `referenceDate`).
    private static func recount(_ store: SQLiteStore) async throws -> [SuppressionReason: Int] {
        var result: [SuppressionReason: Int] = [:]
        for reason in SuppressionReason.allCases { result[reason] = 0 }
        var cursor: SuppressionCursor?
        var pages = 0
        repeat {
            let page = try await store.export(after: cursor, limit: 500)
            for row in page.items where row.isActive(at: referenceDate) { result[row.reason, default: 0] += 1 }
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 1_000  // bounded: a cursor that never ends fails below
        #expect(cursor == nil, "export still had pages after \(pages)")
        return result
    }

    @Test func importsWithDuplicatesAndReasonChangesKeepCountsExact() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        try await store.putManual(.make(address: "a@example.com", reason: .complaint))
        try await store.putManual(.make(address: "b@example.com", reason: .manual))
        // One chunk: new rows, a key twice (the stronger row wins the reason), a reason change of a stored row
        // and a weaker row that leaves a stored one as it is.
        let chunk: [Suppression] = [
            .make(address: "z@example.com", reason: .hardBounce),
            .make(address: "a@example.com", reason: .unsubscribed),
            .make(address: "y@example.com", reason: .complaint),
            .make(address: "y@example.com", reason: .hardBounce),
            .make(address: "b@example.com", reason: .softBounceLimit),
            .make(address: "x@example.com", scope: "list", reason: .unsubscribed),
        ]
        #expect(try await store.importBatch(chunk) == chunk.count)
        for _ in 0..<2 {
            let counts = try await store.counts(byReason: referenceDate)
            #expect(counts == (try await Self.recount(store)))
            #expect(counts[.hardBounce] == 2)  // z, y after its second row
            #expect(counts[.complaint] == 0)
            #expect(counts[.unsubscribed] == 2)  // a (changed from complaint), x
            #expect(counts[.manual] == 1)  // b, kept
            #expect(counts[.softBounceLimit] == 0)
            #expect(try await store.suppression(for: "y@example.com", scope: nil, at: referenceDate)?.count == 1)
            // Then the same once merged (SQL instead of the read-time fold).
            try await store.drainStagedSuppressions()
        }
    }

    @Test func countsFollowReplaceRemoveAndPurge() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        let expiry = referenceDate.addingTimeInterval(60)
        let rows = (0..<300).map { index in
            Suppression.make(address: "u\(index)@example.com", reason: SuppressionReason.allCases[index % SuppressionReason.allCases.count], expiresAt: index % 3 == 0 ? expiry : nil)
        }
        _ = try await store.importBatch(rows)
        try await store.putManual(.make(address: "u1@example.com", reason: .manual))
        try await store.putManual(.make(address: "u2@example.com", reason: SuppressionReason.allCases[2]))  // unchanged reason
        #expect(try await store.remove(address: "u4@example.com", scope: ""))
        #expect(try await store.counts(byReason: referenceDate) == (try await Self.recount(store)))
        let purged = try await store.purgeExpired(at: expiry)
        #expect(purged == 100)
        #expect(try await store.counts(byReason: referenceDate) == (try await Self.recount(store)))
        #expect(try await store.counts(byReason: referenceDate).values.reduce(0, +) == 199)
    }

    @Test func failedChunkLeavesCountsUntouched() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        _ = try await store.importBatch([.make(address: "keep@example.com", reason: .complaint)])
        store.writer.fault.failCommits.store(true, ordering: .relaxed)
        await #expect(throws: StoreError.self) {
            try await store.importBatch((0..<50).map { .make(address: "lost\($0)@example.com") })
        }
        store.writer.fault.failCommits.store(false, ordering: .relaxed)
        let counts = try await store.counts(byReason: referenceDate)
        #expect(counts[.hardBounce] == 0)
        #expect(counts[.complaint] == 1)
        #expect(try await store.export(after: nil, limit: 100).items.count == 1)
    }

    @Test func upgradeToV3RecountsWhatTheTriggersKept() async throws {
        let directory = try TemporaryDirectory()
        try directory.openStore(migrations: [Schema.v1, Schema.v2]).close()
        do {
            // Rows written under v2 (its triggers count them), then a count made wrong on purpose.
            let database = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 1000)
            for (index, reason) in ["hard_bounce", "hard_bounce", "complaint"].enumerated() {
                try database.execute("""
                    INSERT INTO suppressions (address, scope, original_address, reason, first_seen, last_seen, count, source, domain)
                    VALUES ('v\(index)@example.com', '', 'v\(index)@example.com', '\(reason)', 0, 0, 1, 'test', 'example.com')
                    """)
            }
            try database.execute("UPDATE suppression_counts SET n = 99 WHERE reason = 'complaint'")
        }
        let store = try directory.openStore()
        defer { store.close() }
        #expect(try await store.schemaVersion() == Schema.migrations.last?.version)
        let counts = try await store.counts(byReason: referenceDate)
        #expect(counts[.hardBounce] == 2)
        #expect(counts[.complaint] == 1)
        // No trigger counts inserts any more: one new row adds exactly one.
        try await store.putManual(.make(address: "new@example.com", reason: .complaint))
        #expect(try await store.counts(byReason: referenceDate)[.complaint] == 2)
    }
}
