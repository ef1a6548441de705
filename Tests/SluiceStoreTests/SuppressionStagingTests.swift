import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// Staged import runs (schema v6): every read and write sees a staged, partly merged or stored key alike.
struct SuppressionStagingTests {
    /// A deterministic generator (SplitMix64), so a failure replays.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let addresses = (0..<24).map { "u\($0)@d\($0 % 3).example.com" }
    static let scopes = ["", "news", "news/weekly"]

    static func row(_ random: inout Seeded) -> Suppression {
        let address = addresses.randomElement(using: &random)!
        let first = referenceDate.addingTimeInterval(Double(Int.random(in: -50...50, using: &random)) * 60)
        let expiry: Date? = [nil, referenceDate.addingTimeInterval(-120), referenceDate.addingTimeInterval(3600)].randomElement(using: &random)!
        return Suppression(
            address: address, originalAddress: Bool.random(using: &random) ? address.uppercased() : address,
            scope: scopes.randomElement(using: &random)!, reason: SuppressionReason.allCases.randomElement(using: &random)!,
            detail: Bool.random(using: &random) ? "d\(Int.random(in: 0..<5, using: &random))" : nil,
            firstSeen: first, lastSeen: first.addingTimeInterval(Double(Int.random(in: 0...30, using: &random)) * 60),
            count: Int.random(in: 1...3, using: &random), source: "s\(Int.random(in: 0..<4, using: &random))", expiresAt: expiry
        )
    }

    /// Every page of `query` (small pages, so cursors cross staged and stored keys).
    static func all(_ store: any SuppressionStore, _ query: SuppressionQuery) async throws -> [Suppression] {
        var query = query
        var rows: [Suppression] = []
        for _ in 0..<100 {
            let page = try await store.list(query)
            rows += page.items
            guard let next = page.nextCursor else { return rows }
            query.cursor = next
        }
        Issue.record("pagination did not end")
        return rows
    }

    static func exported(_ store: any SuppressionStore) async throws -> [Suppression] {
        var rows: [Suppression] = []
        var cursor: SuppressionCursor?
        for _ in 0..<100 {
            let page = try await store.export(after: cursor, limit: 7)
            rows += page.items
            cursor = page.nextCursor
            if cursor == nil { return rows }
        }
        Issue.record("export did not end")
        return rows
    }

    /// Merges `rows` into the reference one by one with `rule` (the import rule, `Suppression.mergingImport`,
    /// unless told), written with `putManual`: the reference's expectations do not hang on its own `importBatch`.
    static func importIntoReference(
        _ reference: InMemoryStore, _ rows: [Suppression], rule: (Suppression, Suppression) -> Suppression = { $0.mergingImport($1) }
    ) async throws {
        for row in rows {
            let existing = try await reference.export(after: nil, limit: 10_000).items.first { $0.address == row.address && $0.scope == row.scope }
            try await reference.putManual(existing.map { rule($0, row) } ?? row)
        }
    }

    /// Compares every read of `store` with the in-memory reference.
    static func expectSame(_ store: SQLiteStore, _ reference: InMemoryStore, step: String) async throws {
        #expect(try await exported(store) == (try await exported(reference)), "export after \(step)")
        let queries = [
            SuppressionQuery(limit: 4), SuppressionQuery(reason: .complaint, limit: 3), SuppressionQuery(domain: "d1.example.com", limit: 2),
            SuppressionQuery(since: referenceDate, limit: 5), SuppressionQuery(activeAt: referenceDate, limit: 3),
            SuppressionQuery(reason: .manual, domain: "d2.example.com", activeAt: referenceDate, limit: 1),
        ]
        for query in queries {
            #expect(try await all(store, query) == (try await all(reference, query)), "list \(query) after \(step)")
        }
        #expect(try await store.counts(byReason: referenceDate) == (try await reference.counts(byReason: referenceDate)), "counts after \(step)")
        for address in addresses {
            for scope in [nil, "news", "news/weekly"] {
                let mine = try await store.suppression(for: address, scope: scope, at: referenceDate)
                #expect(mine == (try await reference.suppression(for: address, scope: scope, at: referenceDate)), "lookup \(address) \(scope ?? "-") after \(step)")
            }
        }
        let sample = Array(addresses.prefix(6))
        #expect(try await store.suppressed(among: sample, scope: "news", at: referenceDate) == (try await reference.suppressed(among: sample, scope: "news", at: referenceDate)))
        let mine = try await store.suppressions(of: addresses[0]).sorted { $0.scope < $1.scope }
        let theirs = try await reference.list(SuppressionQuery(limit: 1000)).items.filter { $0.address == addresses[0] }
        #expect(mine == theirs, "suppressions(of:) after \(step)")
    }

    /// A store whose staged blocks are about `blockBytes` long (small: a block per row or two, so reads
    /// cross block boundaries within every run).
    static func openStore(_ directory: TemporaryDirectory, blockBytes: Int) throws -> SQLiteStore {
        var configuration = SQLiteStoreConfiguration(path: directory.databasePath, readerCount: 2, cacheSizeKiB: 2048)
        configuration.stagedBlockBytes = blockBytes
        return try SQLiteStore(configuration: configuration)
    }

    @Test(arguments: [1, 2, 3, 4], [150, StagedBlock.defaultTargetBytes])
    func everyOperationMatchesTheReferenceWhileRunsAreStaged(seed: UInt64, blockBytes: Int) async throws {
        let directory = try TemporaryDirectory()
        let store = try Self.openStore(directory, blockBytes: blockBytes)
        defer { store.close() }
        store.setBackgroundMerge(enabled: false)
        let reference = InMemoryStore()
        var random = Seeded(state: seed)
        for step in 0..<40 {
            let name: String
            switch Int.random(in: 0..<10, using: &random) {
            case 0...3:
                let rows = (0..<Int.random(in: 1...30, using: &random)).map { _ in Self.row(&random) }
                #expect(try await store.importBatch(rows) == rows.count)
                try await Self.importIntoReference(reference, rows)
                name = "import of \(rows.count)"
            case 4:
                let row = Self.row(&random)
                try await store.putManual(row)
                try await reference.putManual(row)
                name = "put \(row.address)"
            case 5:
                let row = Self.row(&random)
                #expect(try await store.remove(address: row.address, scope: row.scope) == (try await reference.remove(address: row.address, scope: row.scope)))
                name = "remove \(row.address)"
            case 6:
                let kind: EventKind = [.hardBounce, .complaint, .subscription].randomElement(using: &random)!
                let event = RecipientEvent.make(kind, address: Self.addresses.randomElement(using: &random)!, scope: Self.scopes.randomElement(using: &random)!)
                let message = InboundMessage.make()
                _ = try await store.ingest(message, events: [event], policy: TestPolicy())
                _ = try await reference.ingest(message, events: [event], policy: TestPolicy())
                name = "event \(kind) for \(event.address)"
            case 7, 8:
                try await store.mergeStagedSuppressions(maxKeys: Int.random(in: 1...9, using: &random))
                name = "partial merge"
            default:
                #expect(try await store.purgeExpired(at: referenceDate) == (try await reference.purgeExpired(at: referenceDate)))
                name = "purge"
            }
            try await Self.expectSame(store, reference, step: "step \(step): \(name)")
        }
        try await store.drainStagedSuppressions()
        #expect(try await store.stagedSuppressions() == (0, 0))
        // Nothing staged: the counts now come from `suppression_counts` alone, and must still agree.
        try await Self.expectSame(store, reference, step: "final merge")
    }

    @Test func importStagesARunAndTheMergeMovesItInSteps() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        store.setBackgroundMerge(enabled: false)
        let rows = (0..<50).map { Suppression.make(address: "r\($0)@example.com") }
        _ = try await store.importBatch(rows)
        _ = try await store.importBatch([.make(address: "r7@example.com", reason: .manual, count: 2)])
        #expect(try await store.stagedSuppressions() == (51, 2))
        #expect(try await store.suppression(for: "r7@example.com", scope: nil, at: referenceDate)?.count == 2)
        // The 10 smallest keys in byte order: r0, r1, r10…r17 (r7, staged twice, is not among them).
        #expect(try await store.mergeStagedSuppressions(maxKeys: 10) == 10)
        #expect(try await store.stagedSuppressions() == (41, 2))
        #expect(try await store.suppression(for: "r7@example.com", scope: nil, at: referenceDate)?.count == 2)
        #expect(try await store.drainStagedSuppressions() == 40)
        #expect(try await store.stagedSuppressions() == (0, 0))
        let r7 = try await store.suppression(for: "r7@example.com", scope: nil, at: referenceDate)
        #expect(r7?.count == 2)
        #expect(r7?.reason == .manual)
        #expect(try await store.export(after: nil, limit: 100).items.count == 50)
    }

    @Test func backgroundMergeDrainsAfterTheImport() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        _ = try await store.importBatch((0..<100).map { Suppression.make(address: "b\($0)@example.com") })
        var staged = try await store.stagedSuppressions()
        for _ in 0..<200 where staged.rows > 0 {
            try await Task.sleep(for: .milliseconds(25))
            staged = try await store.stagedSuppressions()
        }
        #expect(staged == (0, 0))
        #expect(try await store.export(after: nil, limit: 1000).items.count == 100)
    }

    @Test(arguments: [150, StagedBlock.defaultTargetBytes])
    func paginationStaysStableWhileAMergeRuns(blockBytes: Int) async throws {
        let directory = try TemporaryDirectory()
        let store = try Self.openStore(directory, blockBytes: blockBytes)
        defer { store.close() }
        store.setBackgroundMerge(enabled: false)
        let stored = (0..<300).map { Suppression.make(address: String(format: "p%03d@example.com", $0 * 2)) }
        _ = try await store.importBatch(stored)
        try await store.drainStagedSuppressions()
        for part in 0..<3 {
            _ = try await store.importBatch((0..<100).map { Suppression.make(address: String(format: "p%03d@example.com", ($0 * 3 + part) % 600), count: 2) })
        }
        let expected = try await Self.exported(store)
        // Pages read while merge steps move keys between them, in the same snapshot order.
        var seen: [Suppression] = []
        var cursor: SuppressionCursor?
        for _ in 0..<200 {
            let page = try await store.export(after: cursor, limit: 9)
            seen += page.items
            try await store.mergeStagedSuppressions(maxKeys: 13)
            cursor = page.nextCursor
            if cursor == nil { break }
        }
        #expect(seen == expected)
        #expect(Set(seen.map(\.address)).count == seen.count)
        #expect(try await store.stagedSuppressions() == (0, 0))
        #expect(try await Self.exported(store) == expected)
    }

    @Test func tooManyRunsMakeTheImportMergeFirst() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        store.setBackgroundMerge(enabled: false)
        for run in 0..<SQLiteStore.maxStagedRuns {
            _ = try await store.importBatch([.make(address: "m\(run)@example.com")])
        }
        #expect(try await store.stagedSuppressions().runs == SQLiteStore.maxStagedRuns)
        _ = try await store.importBatch([.make(address: "last@example.com")])
        #expect(try await store.stagedSuppressions() == (1, 1))
        #expect(try await store.export(after: nil, limit: 100).items.count == SQLiteStore.maxStagedRuns + 1)
    }
}

/// The Bloom filter that lets lookups skip staged runs.
struct StagedRunFilterTests {
    @Test func neverMissesAnAddedAddressAndRarelyClaimsOthers() throws {
        let added = (0..<2000).map { "in\($0)@d\($0 % 7).example.com" }
        let filter = try #require(StagedRunFilter(bytes: StagedRunFilter(addresses: added, count: added.count).bytes))
        #expect(added.allSatisfy(filter.mayContain))
        let falsePositives = (0..<20_000).filter { filter.mayContain("out\($0)@d\($0 % 7).example.com") }.count
        #expect(falsePositives < 100)  // ~0.05 % expected, < 0.5 % required
        #expect(StagedRunFilter(bytes: []) == nil)
        #expect(StagedRunFilter(bytes: [1, 2, 3]) == nil)
    }
}
