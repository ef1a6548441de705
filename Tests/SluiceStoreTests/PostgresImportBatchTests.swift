import Foundation
import SluiceCore
@testable import SluicePostgres
import SluiceTestSupport
import Testing

/// `importBatch` on PostgreSQL: rows of one key folded as `Suppression.mergingImport` folds them, written in key
/// order in one statement, merged into what is stored by the same rule (never weakened), as on SQLite.
@Suite(.serialized) struct PostgresImportBatchTests {
    @Test func foldingKeepsFileOrderWithinAKeyAndSortsKeysByBytes() {
        let rows: [Suppression] = [
            .make(address: "b@example.com", reason: .manual, firstSeen: referenceDate, count: 2, detail: "first"),
            .make(address: "a@example.com", scope: "list", count: 1),
            .make(address: "B@example.com", count: 1),
            .make(address: "a@example.com", count: 1),
            .make(address: "b@example.com", reason: .complaint, firstSeen: referenceDate.addingTimeInterval(-60), count: 3, detail: "second"),
        ]
        let folded = PGSuppressionRows.folded(rows)
        #expect(folded.map { "\($0.address)|\($0.scope)" } == ["B@example.com|", "a@example.com|", "a@example.com|list", "b@example.com|"])
        let b = folded[3]
        #expect(b == rows[0].mergingImport(rows[4]))
        #expect(b.count == 3 && b.reason == .manual && b.detail == "first" && b.firstSeen == referenceDate.addingTimeInterval(-60))
    }

    @Test func aBatchWithRepeatedKeysMergesIntoTheStoredRows() async throws {
        let store = try await PostgresFixture.openStore(poolSize: 2)
        defer { store.close() }
        try await store.putManual(.make(address: "old@example.com", reason: .manual, count: 4))
        let batch: [Suppression] = [
            .make(address: "z@example.com", count: 1, detail: "one"),
            .make(address: "old@example.com", reason: .complaint, count: 1),
            .make(address: "z@example.com", reason: .complaint, count: 2, detail: "two"),
            .make(address: "a@example.com", scope: "news", count: 1, expiresAt: referenceDate.addingTimeInterval(3600)),
        ]
        #expect(try await store.importBatch(batch) == 4, "every row of the chunk counts, folded or not")
        let z = try #require(try await store.suppressions(of: "z@example.com").first)
        #expect(z.count == 2 && z.reason == .hardBounce && z.detail == "one", "hard_bounce outranks complaint")
        let old = try #require(try await store.suppressions(of: "old@example.com").first)
        #expect(old.count == 4 && old.reason == .manual, "an import never weakens a stored row")
        let a = try #require(try await store.suppressions(of: "a@example.com").first)
        #expect(a.scope == "news" && a.expiresAt == referenceDate.addingTimeInterval(3600))
        #expect(try await store.list(SuppressionQuery()).items.count == 3)
    }

    /// Two imports of the same keys in opposite file orders, many times at once: each statement locks in key
    /// order, so none waits for the other in a cycle; each restates the rows, so counts stay as imported.
    @Test func overlappingImportsInOppositeOrdersAllCommit() async throws {
        try await PostgresFixture.withTwoStores { one, two in
            let rows = (0..<2000).map { Suppression.make(address: "u\($0)@example.com", count: 1) }
            let total = try await withThrowingTaskGroup(of: Int.self) { group in
                for round in 0..<6 {
                    let store = round % 2 == 0 ? one : two
                    let chunk = round % 2 == 0 ? rows : rows.reversed()
                    group.addTask { try await store.importBatch(chunk) }
                }
                return try await group.reduce(0, +)
            }
            #expect(total == 12_000)
            let counts = try await one.read { connection throws(StoreError) in
                let result = try connection.execute("SELECT min(count), max(count), count(*) FROM suppressions")
                return [result.int(0, 0), result.int(0, 1), result.int(0, 2)]
            }
            #expect(counts == [1, 1, 2000])
        }
    }

    @Test func aChunkOverTheLimitIsRefused() async throws {
        let store = try await PostgresFixture.openStore(poolSize: 1)
        defer { store.close() }
        let rows = Array(repeating: Suppression.make(), count: PostgresStore.maxImportChunk + 1)
        let error = await #expect(throws: StoreError.self) { try await store.importBatch(rows) }
        #expect(error?.code == .invalidInput)
        #expect(try await store.importBatch(Array(rows.dropLast())) == PostgresStore.maxImportChunk)
        #expect(try await store.suppressions(of: "user@example.com").first?.count == 1, "the larger count, not the sum")
    }

    /// Every (stored, imported) pair of reason and expiry of the SQLite store's table: merged into stored rows,
    /// and folded within one chunk, PostgreSQL gives `Suppression.mergingImport`.
    @Test func everyReasonAndExpiryPairFollowsTheImportRule() async throws {
        let store = try await PostgresFixture.openStore(poolSize: 2)
        defer { store.close() }
        let pairs = SuppressionImportRuleTests.pairs()
        for pair in pairs { try await store.putManual(pair.stored) }
        #expect(try await store.importBatch(pairs.map(\.imported)) == pairs.count)
        let expected = pairs.map { $0.stored.mergingImport($0.imported) }.sorted { $0.address.utf8.lexicographicallyPrecedes($1.address.utf8) }
        #expect(try await Self.exported(store) == expected)
        #expect(try await store.counts(byReason: referenceDate) == SuppressionImportRuleTests.activeCounts(expected))

        // Both rows of each key in one chunk (`folded`), on an empty database.
        let chunk = try await PostgresFixture.openStore(poolSize: 1)
        defer { chunk.close() }
        #expect(try await chunk.importBatch(pairs.flatMap { [$0.stored, $0.imported] }) == 2 * pairs.count)
        #expect(try await Self.exported(chunk) == expected)
    }

    /// The same rows imported again, in any order, change nothing: no sum, no weaker reason, no shorter expiry.
    @Test func reimportingChangesNothing() async throws {
        let store = try await PostgresFixture.openStore(poolSize: 1)
        defer { store.close() }
        let rows = [
            Suppression.make(address: "k@example.com", reason: .manual, count: 2, source: "a"),
            Suppression.make(address: "k@example.com", reason: .softBounceLimit, count: 1, expiresAt: referenceDate.addingTimeInterval(86_400), source: "b"),
        ]
        _ = try await store.importBatch(rows)
        _ = try await store.importBatch(rows.reversed())
        _ = try await store.importBatch([rows[1]])
        let row = try #require(try await store.suppression(for: "k@example.com", scope: nil, at: referenceDate))
        #expect(row.reason == .manual && row.source == "a" && row.expiresAt == nil && row.count == 2)
    }

    /// Ingest keeps its own rule (the policy decided already): the later event's reason, counts added.
    @Test func ingestStillTakesTheNewReasonAndAddsCounts() async throws {
        let store = try await PostgresFixture.openStore(poolSize: 1)
        defer { store.close() }
        _ = try await store.importBatch([.make(address: "m@example.com", reason: .manual, count: 5)])
        let event = RecipientEvent.make(.hardBounce, address: "m@example.com", at: referenceDate.addingTimeInterval(60), subtype: "General")
        _ = try await store.ingest(.make(), events: [event], policy: TestPolicy())
        let row = try #require(try await store.suppression(for: "m@example.com", scope: nil, at: referenceDate))
        #expect(row.count == 6)
        #expect(row.reason == .hardBounce)
    }

    static func exported(_ store: PostgresStore) async throws -> [Suppression] {
        var rows: [Suppression] = []
        var cursor: SuppressionCursor?
        repeat {
            let page = try await store.export(after: cursor, limit: 500)
            rows += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return rows
    }
}
