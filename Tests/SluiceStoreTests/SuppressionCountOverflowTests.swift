import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// A stored `count` near `Int.max` (imports before counts were capped): every merge saturates instead of
/// trapping, in memory (`Suppression.merging`), in SQL, in the staged merge and after a restart.
struct SuppressionCountOverflowTests {
    static let address = "ovf@example.com"

    @Test func hugeCountsMergeSaturatedAcrossReadsRemoveAndReopen() async throws {
        let directory = try TemporaryDirectory()
        do {
            let store = try directory.openStore()
            // Two chunks: two staged runs of one key, folded on read and by the merge at open.
            #expect(try await store.importBatch([.make(address: Self.address, count: Int.max)]) == 1)
            #expect(try await store.importBatch([.make(address: Self.address, count: 1)]) == 1)
            #expect(try await store.suppression(for: Self.address, scope: nil, at: referenceDate)?.count == Int.max)
            #expect(try await store.list(SuppressionQuery()).items.first?.count == Int.max)
            store.close()
        }
        do {
            // Opening merges the staged runs.
            let store = try directory.openStore()
            _ = try await store.drainStagedSuppressions()
            #expect(try await store.stagedSuppressions().rows == 0)
            #expect(try await store.suppression(for: Self.address, scope: nil, at: referenceDate)?.count == Int.max)
            // The SQL merge of a stored row (a feedback upsert goes through it).
            _ = try await store.ingest(.make(), events: [.make(.hardBounce, address: Self.address)], policy: TestPolicy())
            #expect(try await store.suppression(for: Self.address, scope: nil, at: referenceDate)?.count == Int.max)
            // A staged run over the stored row, then remove (which folds what it removes).
            #expect(try await store.importBatch([.make(address: Self.address, count: 5)]) == 1)
            #expect(try await store.remove(address: Self.address, scope: ""))
            #expect(try await store.suppression(for: Self.address, scope: nil, at: referenceDate) == nil)
            store.close()
        }
        let store = try directory.openStore()
        defer { store.close() }
        #expect(try await store.suppression(for: Self.address, scope: nil, at: referenceDate) == nil)
    }
}
