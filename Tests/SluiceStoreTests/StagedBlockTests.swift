import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// The packed blocks of staged runs (schema v8).
struct StagedBlockTests {
    static func rows(_ count: Int) -> [Suppression] {
        var random = SuppressionStagingTests.Seeded(state: 7)
        var rows = (0..<count).map { _ in SuppressionStagingTests.row(&random) }
        // Unusual values round-trip too: non-ASCII, empty detail, dates before 1970, a large count.
        rows.append(Suppression(address: "zé@exämple.com", originalAddress: "Zé@Exämple.com", scope: "news/wéekly", reason: .softBounceLimit,
                                detail: "", firstSeen: Date(timeIntervalSince1970: -86_400.5), count: Int(Int32.max) * 4, source: "operator:ø"))
        return SQLiteStore.stagedRun(rows)
    }

    @Test(arguments: [1, 100, 600, StagedBlock.defaultTargetBytes])
    func packedRowsReadBackInKeyOrderAndNeverSplitAnAddress(targetBytes: Int) {
        let run = Self.rows(200)
        let blocks = StagedBlock.pack(run, targetBytes: targetBytes)
        #expect(blocks.flatMap { StagedBlock.rows($0.data) } == run)
        #expect(blocks.map(\.count).reduce(0, +) == run.count)
        for (block, next) in zip(blocks, blocks.dropFirst()) {
            #expect(SuppressionFold.compareBytes(block.first, block.last) <= 0)
            #expect(SuppressionFold.compareBytes(block.last, next.first) < 0, "an address split across blocks")
        }
        for address in Set(run.map(\.address)) {
            let block = blocks.first { SuppressionFold.compareBytes($0.last, address) >= 0 }
            let found = block.map { StagedBlock.rows(of: address, in: $0.data) } ?? []
            #expect(found == run.filter { $0.address == address })
        }
        for block in blocks {
            #expect(StagedBlock.rows(of: "absent@example.com", in: block.data).isEmpty)
        }
    }

    @Test func chunksSortInByteOrderWhateverTheirPrefixes() {
        var random = SuppressionStagingTests.Seeded(state: 3)
        let pieces = ["a", "ab", "abcdefgh", "abcdefghi", "é", "\u{0}", "z", "user0", "user01"]
        let rows = (0..<300).map { _ in
            Suppression.make(address: (0..<Int.random(in: 1...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined(),
                             scope: ["", "a"].randomElement(using: &random)!)
        }
        let expected = rows.indices.sorted { a, b in
            let order = SuppressionFold.compareKeys((rows[a].address, rows[a].scope), (rows[b].address, rows[b].scope))
            return order != 0 ? order < 0 : a < b
        }
        #expect(SQLiteStore.keyOrder(rows) == expected)
    }

    @Test func truncatedBlocksReadBackAPrefixOfTheirRows() {
        let data = StagedBlock.pack(Self.rows(20), targetBytes: .max).first?.data ?? []
        let full = StagedBlock.rows(data)
        #expect(full.count == Self.rows(20).count)
        for cut in [0, 1, 2, 17, data.count / 2, data.count - 1] {
            let partial = StagedBlock.rows(Array(data.prefix(cut)))
            #expect(partial.count < full.count)
            #expect(partial == Array(full.prefix(partial.count)))
            _ = StagedBlock.rows(of: "u1@d1.example.com", in: Array(data.prefix(cut)))
        }
        #expect(StagedBlock.rows([0xFF, 0xFF, 0xFF]).isEmpty)
        // A damaged row length just under Int.max (a varint of 2^63 - 2) ends the block; it must not trap.
        let huge: [UInt8] = [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x01, 0x02]
        #expect(StagedBlock.rows(huge).isEmpty)
        #expect(StagedBlock.rows(of: "u1@d1.example.com", in: huge).isEmpty)
    }
}

/// Schema v8 on a v6 database with staged runs: the v6 rows are merged, every read stays the same.
struct StagedBlocksMigrationTests {
    @Test(arguments: [1, 2])
    func upgradeFromV6MergesTheStagedRowsInRunOrder(seed: UInt64) async throws {
        let directory = try TemporaryDirectory()
        try directory.openStore(migrations: Schema.migrations.filter { $0.version <= 6 }).close()
        let reference = InMemoryStore()
        var random = SuppressionStagingTests.Seeded(state: seed)
        do {
            // Written as the v6 build did, straight into the file (this build's writes need v8's table).
            let database = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 1000)
            let stored = (0..<40).map { _ in SuppressionStagingTests.row(&random) }
            try await SuppressionStagingTests.importIntoReference(reference, SQLiteStore.stagedRun(stored))
            for row in SQLiteStore.stagedRun(stored) {
                try database.run("""
                    INSERT INTO suppressions (\(SuppressionRows.columns), domain) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                    """) { SuppressionRows.bind(row, domain: SuppressionRows.domain(of: row.address), to: $0) }
                try database.run("INSERT INTO suppression_domains (domain, address, scope) VALUES (?1, ?2, ?3)") {
                    $0.bind(SuppressionRows.domain(of: row.address), at: 1)
                    $0.bind(row.address, at: 2)
                    $0.bind(row.scope, at: 3)
                }
            }
            try database.execute("INSERT INTO suppression_counts (reason, n) SELECT reason, count(*) FROM suppressions GROUP BY reason")
            for run in 1...3 {
                let rows = (0..<25).map { _ in SuppressionStagingTests.row(&random) }
                // v8 merges the v6 runs as the v6 build read them (`Suppression.merging`), each run folded as
                // written here.
                try await SuppressionStagingTests.importIntoReference(reference, SQLiteStore.stagedRun(rows)) { $0.merging($1) }
                try database.run("INSERT INTO suppression_runs (run, token, filter, created_at) VALUES (?1, 7, ?2, 0)") {
                    $0.bind(run, at: 1)
                    $0.bind(StagedRunFilter(addresses: rows.map(\.address), count: rows.count).bytes, at: 2)
                }
                for row in SQLiteStore.stagedRun(rows) {
                    try database.run("""
                        INSERT INTO suppression_staged (run, \(SuppressionRows.columns)) VALUES (?11, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                        """) {
                        SuppressionRows.bind(row, domain: nil, to: $0)
                        $0.bind(run, at: 11)
                    }
                }
            }
            // A row of a run the v6 merge had already dropped from `suppression_runs` is not staged.
            try database.execute("""
                INSERT INTO suppression_staged (run, \(SuppressionRows.columns))
                VALUES (9, 'ghost@example.com', '', 'ghost@example.com', 'manual', NULL, 0, 0, 1, 'test', NULL)
                """)
        }
        let store = try directory.openStore()
        defer { store.close() }
        store.setBackgroundMerge(enabled: false)
        #expect(try await store.schemaVersion() == Schema.migrations.last?.version)
        #expect(try await store.stagedSuppressions() == (0, 0))
        try await SuppressionStagingTests.expectSame(store, reference, step: "upgrade to v8")
        // And the upgraded file stages and merges new imports.
        let more = (0..<30).map { _ in SuppressionStagingTests.row(&random) }
        _ = try await store.importBatch(more)
        try await SuppressionStagingTests.importIntoReference(reference, more)
        try await SuppressionStagingTests.expectSame(store, reference, step: "import after the upgrade")
        try await store.drainStagedSuppressions()
        try await SuppressionStagingTests.expectSame(store, reference, step: "merge after the upgrade")
    }

    /// A count at the top of the range plus a staged one saturates, as `Suppression.merging` does:
    /// SQLite would store the overflowing sum as a REAL, which no read expects.
    @Test func upgradeSaturatesAnOverflowingCount() async throws {
        let directory = try TemporaryDirectory()
        try directory.openStore(migrations: Schema.migrations.filter { $0.version <= 6 }).close()
        do {
            let database = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 1000)
            try database.execute("""
                INSERT INTO suppressions (\(SuppressionRows.columns), domain)
                VALUES ('big@example.com', '', 'big@example.com', 'hard_bounce', NULL, 0, 0, 9223372036854775800, 'test', NULL,
                        'example.com');
                INSERT INTO suppression_runs (run, token, filter, created_at) VALUES (1, 7, x'', 0);
                INSERT INTO suppression_staged (run, \(SuppressionRows.columns))
                VALUES (1, 'big@example.com', '', 'big@example.com', 'hard_bounce', NULL, 0, 10, 9, 'import', NULL);
                """)
        }
        let store = try directory.openStore()
        #expect(try await store.schemaVersion() == Schema.migrations.last?.version)
        let merged = try #require(try await store.suppressions(of: "big@example.com").first)
        #expect(merged.count == Int.max)
        #expect(merged.lastSeen == Date(timeIntervalSince1970: 0.01))
        #expect(merged.source == "import")
        store.close()
        // Reading a REAL as an integer saturates too: the stored type tells the sum from the cap.
        let database = try Database(path: directory.databasePath, readOnly: true, busyTimeoutMilliseconds: 1000)
        #expect(try database.strings("SELECT typeof(count) FROM suppressions WHERE address = 'big@example.com'") == ["integer"])
    }
}
