import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// Imports merge by `Suppression.mergingImport` in every path of the SQLite store: the read-time fold of
/// staged runs, the background merge (SQL), the absorb before a write, and a chunk's own duplicates.
struct SuppressionImportRuleTests {
    static let expiries: [Date?] = [
        nil, referenceDate.addingTimeInterval(-3600), referenceDate.addingTimeInterval(86_400), referenceDate.addingTimeInterval(30 * 86_400),
    ]

    /// Every (stored, imported) pair of reason and expiry, each under its own address.
    static func pairs() -> [(stored: Suppression, imported: Suppression)] {
        var variants: [(SuppressionReason, Date?)] = []
        for reason in SuppressionReason.allCases { for expiry in expiries { variants.append((reason, expiry)) } }
        var pairs: [(Suppression, Suppression)] = []
        for (i, old) in variants.enumerated() {
            for (j, new) in variants.enumerated() {
                let address = "p\(i)-\(j)@d\(i % 5).example.com"
                let stored = Suppression(
                    address: address, originalAddress: "P\(i)-\(j)@example.com", reason: old.0, detail: "old", firstSeen: referenceDate,
                    lastSeen: referenceDate.addingTimeInterval(60), count: 3, source: "old", expiresAt: old.1)
                let imported = Suppression(
                    address: address, originalAddress: address, reason: new.0, detail: j % 2 == 0 ? nil : "new",
                    firstSeen: referenceDate.addingTimeInterval(-60), lastSeen: referenceDate.addingTimeInterval(30), count: j % 5,
                    source: "import:test", expiresAt: new.1)
                pairs.append((stored, imported))
            }
        }
        return pairs
    }

    static func exported(_ store: SQLiteStore) async throws -> [Suppression] {
        var rows: [Suppression] = []
        var cursor: SuppressionCursor?
        repeat {
            let page = try await store.export(after: cursor, limit: 500)
            rows += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return rows
    }

    static func activeCounts(_ rows: [Suppression]) -> [SuppressionReason: Int] {
        var counts = Dictionary(uniqueKeysWithValues: SuppressionReason.allCases.map { ($0, 0) })
        for row in rows where row.isActive(at: referenceDate) { counts[row.reason, default: 0] += 1 }
        return counts
    }

    @Test func stagedAndMergedRowsFollowTheImportRule() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        store.setBackgroundMerge(enabled: false)
        let pairs = Self.pairs()
        for pair in pairs { try await store.putManual(pair.stored) }
        #expect(try await store.importBatch(pairs.map(\.imported)) == pairs.count)
        let expected = pairs.map { $0.stored.mergingImport($0.imported) }.sorted { $0.address < $1.address }

        // Staged: every read folds the run in Swift.
        #expect(try await store.stagedSuppressions().rows == pairs.count)
        #expect(try await Self.exported(store) == expected)
        #expect(try await store.counts(byReason: referenceDate) == Self.activeCounts(expected))
        // Merged: the SQL of the background merge.
        try await store.drainStagedSuppressions()
        #expect(try await store.stagedSuppressions() == (0, 0))
        #expect(try await Self.exported(store) == expected)
        #expect(try await store.counts(byReason: referenceDate) == Self.activeCounts(expected))
        #expect(try await store.integrityCheck() == [])
    }

    /// A write to an address first absorbs its staged rows (SQL, one key at a time).
    @Test func absorbedRowsFollowTheImportRule() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        store.setBackgroundMerge(enabled: false)
        let pairs = Self.pairs().filter { $0.stored.address.hasSuffix("d0.example.com") }
        for pair in pairs { try await store.putManual(pair.stored) }
        _ = try await store.importBatch(pairs.map(\.imported))
        for pair in pairs { #expect(try await store.remove(address: pair.stored.address, scope: "unrelated") == false) }
        #expect(try await store.stagedSuppressions().rows == 0, "every staged row was absorbed")
        #expect(try await Self.exported(store) == pairs.map { $0.stored.mergingImport($0.imported) }.sorted { $0.address < $1.address })
        #expect(try await store.counts(byReason: referenceDate) == Self.activeCounts(pairs.map { $0.stored.mergingImport($0.imported) }))
    }

    /// Rows of one key in one chunk: the stronger reason and the later expiry, however they are ordered;
    /// the same file imported twice counts as once.
    @Test func aChunkNeverWeakensItsOwnRowsAndReimportingChangesNothing() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        let rows = [
            Suppression.make(address: "k@example.com", reason: .manual, count: 2, source: "a"),
            Suppression.make(address: "k@example.com", reason: .softBounceLimit, count: 1, expiresAt: referenceDate.addingTimeInterval(86_400), source: "b"),
        ]
        _ = try await store.importBatch(rows)
        _ = try await store.importBatch(rows.reversed())
        _ = try await store.importBatch(rows)
        try await store.drainStagedSuppressions()
        let row = try #require(try await store.suppression(for: "k@example.com", scope: nil, at: referenceDate))
        #expect(row.reason == .manual)
        #expect(row.source == "a")
        #expect(row.expiresAt == nil)
        #expect(row.count == 2)
    }

    /// Ingest keeps its own rule (the policy decided already): the later event's reason, counts added.
    @Test func ingestStillTakesTheNewReasonAndAddsCounts() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        _ = try await store.importBatch([.make(address: "m@example.com", reason: .manual, count: 5)])
        let event = RecipientEvent.make(.hardBounce, address: "m@example.com", at: referenceDate.addingTimeInterval(60), subtype: "General")
        _ = try await store.ingest(.make(), events: [event], policy: TestPolicy())
        let row = try #require(try await store.suppression(for: "m@example.com", scope: nil, at: referenceDate))
        #expect(row.count == 6)
    }

    /// A run staged by a build that kept needless quotes is merged under the unquoted key (schema v14
    /// re-keyed the stored rows; staged blocks are not SQL-readable).
    @Test func aStagedLegacyKeyIsMergedUnderTheCurrentKey() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        store.setBackgroundMerge(enabled: false)
        try await store.putManual(.make(address: "a..b@x.example", reason: .softBounceLimit, count: 1, expiresAt: referenceDate.addingTimeInterval(60)))
        _ = try await store.importBatch([
            .make(address: "\"a..b\"@x.example", reason: .hardBounce, count: 4), .make(address: "\"c..d\"@x.example", reason: .complaint),
            .make(address: "\"a b\"@x.example", reason: .manual),
        ])
        try await store.drainStagedSuppressions()
        let rows = try await Self.exported(store)
        #expect(rows.map(\.address) == ["\"a b\"@x.example", "a..b@x.example", "c..d@x.example"])
        #expect(rows[1].reason == .hardBounce)
        #expect(rows[1].expiresAt == nil)
        #expect(rows[1].count == 4)
        let listed = try await store.list(SuppressionQuery(domain: "x.example", limit: 10)).items.map(\.address)
        #expect(listed == ["\"a b\"@x.example", "a..b@x.example", "c..d@x.example"])
        #expect(try await store.counts(byReason: referenceDate) == [.manual: 1, .hardBounce: 1, .complaint: 1, .softBounceLimit: 0, .unsubscribed: 0, .sesAccount: 0])
    }

    /// The migrations with this change's v14 (registered or not yet).
    static var currentMigrations: [Migration] {
        Schema.migrations.contains { $0.version == Schema.v14.version } ? Schema.migrations : Schema.migrations + [Schema.v14]
    }

    /// Schema v14 re-keys `"a..b"@x` to `a..b@x` in `suppressions` (merged without weakening, counts added),
    /// `suppression_domains`, the reason counts, `soft_bounces` and `history`; keys that need quotes stay.
    @Test func migrationRekeysQuotedLocalPartsThatNeedNoQuotes() async throws {
        let directory = try TemporaryDirectory()
        let old = try directory.openStore(migrations: Self.currentMigrations.filter { $0.version < 14 })
        let t = referenceDate
        let rows: [Suppression] = [
            Suppression(address: "\"a..b\"@x.example", originalAddress: "\"A..b\"@X.example", reason: .hardBounce, detail: "old",
                        firstSeen: t.addingTimeInterval(-100), lastSeen: t.addingTimeInterval(-50), count: 2, source: "sns-1"),
            Suppression(address: "a..b@x.example", originalAddress: "a..b@x.example", reason: .softBounceLimit, detail: "new",
                        firstSeen: t, lastSeen: t.addingTimeInterval(10), count: 3, source: "import", expiresAt: t.addingTimeInterval(86_400)),
            Suppression(address: "\"a..b\"@x.example", scope: "news", reason: .unsubscribed, firstSeen: t, source: "sns-2"),
            Suppression(address: "\".x\"@y.example", reason: .complaint, firstSeen: t, source: "sns-3"),
            Suppression(address: "\"a b\"@x.example", reason: .manual, firstSeen: t, source: "operator:x"),
            Suppression(address: "\"n-;\u{00E9}\"@x.example", reason: .manual, firstSeen: t, source: "operator:x"),
            Suppression(address: "\"a\\\"b\"@x.example", reason: .manual, firstSeen: t, source: "operator:x"),
            Suppression(address: "z@x.example", reason: .sesAccount, firstSeen: t, source: "ses_account"),
        ]
        for row in rows { try await old.putManual(row) }
        old.close()
        do {
            let database = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 1000)
            try database.run("""
                INSERT INTO soft_bounces (address, count, window_start, last_bounce, last_subtype) VALUES
                ('"c..d"@x.example', 1, ?1, ?1, 'A'), ('c..d@x.example', 2, ?2, ?3, 'B'), ('"e..f"@x.example', 1, ?1, ?1, 'C')
                """) {
                $0.bind(t.addingTimeInterval(-10), at: 1)
                $0.bind(t.addingTimeInterval(-5), at: 2)
                $0.bind(t.addingTimeInterval(-1), at: 3)
            }
            for (index, address) in ["\"a..b\"@x.example", "\"a b\"@x.example", "\"g..h\"@x.example"].enumerated() {
                try database.run("""
                    INSERT INTO history (address, kind, original_address, ses_message_id, event_at, identity, subtype, detail, scope,
                        raw_type, outcome, source, recorded_at)
                    VALUES (?1, 'hard_bounce', ?1, ?2, ?3, 'example.com', NULL, NULL, '', 'Bounce', 'recorded', 'sns', ?3)
                    """) {
                    $0.bind(address, at: 1)
                    $0.bind("m\(index)", at: 2)
                    $0.bind(t, at: 3)
                }
            }
        }

        let store = try directory.openStore(migrations: Self.currentMigrations)
        defer { store.close() }
        #expect(try await store.schemaVersion() >= 14)
        let stored = try await Self.exported(store)
        #expect(stored.map { "\($0.address)|\($0.scope)" }.sorted() == [
            ".x@y.example|", "\"a b\"@x.example|", "\"a\\\"b\"@x.example|", "\"n-;\u{00E9}\"@x.example|", "a..b@x.example|",
            "a..b@x.example|news", "z@x.example|",
        ].sorted())
        let merged = try #require(stored.first { $0.address == "a..b@x.example" && $0.scope.isEmpty })
        #expect(merged.reason == .hardBounce, "the higher precedence")
        #expect(merged.detail == "old")
        #expect(merged.source == "sns-1")
        #expect(merged.expiresAt == nil, "never shorter")
        #expect(merged.count == 5, "two rows of different events: counts added")
        #expect(merged.firstSeen == t.addingTimeInterval(-100))
        #expect(merged.lastSeen == t.addingTimeInterval(10))
        #expect(merged.originalAddress == "\"A..b\"@X.example", "the spelling first seen")
        #expect(try await store.suppression(for: "a..b@x.example", scope: "news", at: t)?.reason == .hardBounce)
        #expect(try await store.suppressions(of: "a..b@x.example").map(\.scope) == ["", "news"])
        #expect(try await store.counts(byReason: t) == [.manual: 3, .hardBounce: 1, .unsubscribed: 1, .complaint: 1, .sesAccount: 1, .softBounceLimit: 0])
        let listed = try await store.list(SuppressionQuery(domain: "x.example", limit: 100)).items.map { "\($0.address)|\($0.scope)" }
        #expect(listed == ["\"a b\"@x.example|", "\"a\\\"b\"@x.example|", "\"n-;\u{00E9}\"@x.example|", "a..b@x.example|", "a..b@x.example|news", "z@x.example|"])
        #expect(try await store.list(SuppressionQuery(domain: "y.example", limit: 100)).items.map(\.address) == [".x@y.example"])

        let (bounces, history, plan) = try await store.readers.read { database throws(StoreError) in
            (
                try database.strings("SELECT address || '|' || count || '|' || window_start || '|' || last_bounce || '|' || last_subtype FROM soft_bounces ORDER BY address"),
                try database.strings("SELECT address FROM history ORDER BY id"),
                try Self.queryPlan("SELECT address FROM history WHERE address GLOB '\"*'", in: database)
            )
        }
        let ms = { (date: Date) in String(Int64((date.timeIntervalSince1970 * 1000).rounded())) }
        #expect(bounces == [
            "c..d@x.example|3|\(ms(t.addingTimeInterval(-10)))|\(ms(t.addingTimeInterval(-1)))|B",
            "e..f@x.example|1|\(ms(t.addingTimeInterval(-10)))|\(ms(t.addingTimeInterval(-10)))|C",
        ])
        #expect(history == ["a..b@x.example", "\"a b\"@x.example", "g..h@x.example"])
        #expect(plan.contains { $0.contains("history_address") }, "the quoted keys are found by an index range, not a scan: \(plan)")
        #expect(try await store.integrityCheck() == [])
    }

    /// The `detail` column of `EXPLAIN QUERY PLAN sql`.
    static func queryPlan(_ sql: String, in database: Database) throws(StoreError) -> [String] {
        let statement = try database.statement("EXPLAIN QUERY PLAN " + sql)
        defer { statement.reset() }
        var details: [String] = []
        while try statement.step() { details.append(statement.string(at: 3)) }
        return details
    }

    /// The migration's SQL test and `AddressNormalizer.unquotedLegacyKey` agree key by key.
    @Test(arguments: [
        "\"a..b\"@x.example", "\".\"@x.example", "\"a.\"@x.example", "\"j\u{00F6}rg..\"@x.example", "\"a b\"@x.example", "\"a,b\"@x.example",
        "\"a@b\"@x.example", "\"a\\\"b\"@x.example", "\"a\\\\b\"@x.example", "\"\"@x.example", "\"a(b\"@x.example", "\"a;b\"@x.example",
        "\"a[b]\"@x.example", "\"a:b\"@x.example", "\"a<b>\"@x.example", "\"a\tb\"@x.example", "a..b@x.example", "\"a..b\"x@y.example",
    ])
    func migrationSQLAgreesWithTheSwiftRule(_ key: String) async throws {
        let directory = try TemporaryDirectory()
        try directory.openStore(migrations: Self.currentMigrations.filter { $0.version < 14 }).close()
        do {
            let database = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 1000)
            try database.run("INSERT INTO history (address, kind, original_address, ses_message_id, event_at, identity, scope, raw_type, outcome, source, recorded_at) VALUES (?1, 'send', ?1, 'm', 0, 'i', '', 'Send', 'recorded', 's', 0)") {
                $0.bind(key, at: 1)
            }
        }
        let store = try directory.openStore(migrations: Self.currentMigrations)
        defer { store.close() }
        let history = try await store.readers.read { database throws(StoreError) in try database.strings("SELECT address FROM history") }
        #expect(history == [AddressNormalizer.unquotedLegacyKey(key) ?? key])
    }
}
