import Foundation
import SluiceCore
@testable import SluicePostgres
@testable import SluiceStore
import SluiceTestSupport
import Testing

/// Schema v9 re-keys `"a..b"@x` to `a..b@x` as the SQLite store's v14 does: the same input gives the same
/// suppressions, soft bounces and history on both stores.
@Suite(.serialized) struct PostgresSuppressionKeysTests {
    static let t = referenceDate

    /// Stored rows: a quoted key colliding with an unquoted one (stronger reason, earlier sighting), one
    /// colliding on a tie of reasons, one alone in a scope, keys that need their quotes, and unrelated keys.
    static let suppressions: [Suppression] = [
        Suppression(address: "\"a..b\"@x.example", originalAddress: "\"A..b\"@X.example", reason: .hardBounce, detail: "old",
                    firstSeen: t.addingTimeInterval(-100), lastSeen: t.addingTimeInterval(-50), count: 2, source: "sns-1"),
        Suppression(address: "a..b@x.example", originalAddress: "a..b@x.example", reason: .softBounceLimit, detail: "new",
                    firstSeen: t, lastSeen: t.addingTimeInterval(10), count: 3, source: "import", expiresAt: t.addingTimeInterval(86_400)),
        Suppression(address: "\"a..b\"@x.example", scope: "news", reason: .unsubscribed, firstSeen: t, source: "sns-2"),
        Suppression(address: "\"t..t\"@x.example", originalAddress: "\"T..t\"@x.example", reason: .complaint, detail: "quoted",
                    firstSeen: t.addingTimeInterval(5), count: 1, source: "sns-4", expiresAt: t.addingTimeInterval(7200)),
        Suppression(address: "t..t@x.example", originalAddress: "T..T@x.example", reason: .complaint, detail: "plain",
                    firstSeen: t, count: Int.max - 1, source: "sns-5", expiresAt: t.addingTimeInterval(3600)),
        Suppression(address: "\".x\"@y.example", reason: .complaint, firstSeen: t, source: "sns-3"),
        Suppression(address: "\"j\u{00F6}rg..\"@y.example", reason: .sesAccount, firstSeen: t, source: "ses_account"),
        Suppression(address: "\"a b\"@x.example", reason: .manual, firstSeen: t, source: "operator:x"),
        Suppression(address: "\"n-;\u{00E9}\"@x.example", reason: .manual, firstSeen: t, source: "operator:x"),
        Suppression(address: "\"a\\\"b\"@x.example", reason: .manual, firstSeen: t, source: "operator:x"),
        Suppression(address: "z@x.example", reason: .sesAccount, firstSeen: t, source: "ses_account"),
    ]

    /// (address, count, window start, last bounce, last subtype) of `soft_bounces`.
    static let softBounces: [(String, Int, Date, Date, String?)] = [
        ("\"c..d\"@x.example", 1, t.addingTimeInterval(-10), t.addingTimeInterval(-10), "A"),
        ("c..d@x.example", 2, t.addingTimeInterval(-5), t.addingTimeInterval(-1), "B"),
        ("\"e..f\"@x.example", 1, t.addingTimeInterval(-10), t.addingTimeInterval(-10), nil),
        ("\"k..l\"@x.example", 4, t.addingTimeInterval(-10), t.addingTimeInterval(20), "C"),
        ("k..l@x.example", 1, t.addingTimeInterval(-30), t.addingTimeInterval(-30), "D"),
        ("\"a b\"@x.example", 1, t, t, "E"),
    ]

    static let history = ["\"a..b\"@x.example", "\"a b\"@x.example", "\"g..h\"@x.example", "g..h@x.example"]

    /// The three tables as comparable text, `suppressions` by export.
    struct Tables: Equatable {
        var suppressions: [Suppression]
        var softBounces: [String]
        var history: [String]
    }

    static let softBounceText = "address || '|' || count || '|' || window_start || '|' || last_bounce || '|' || coalesce(last_subtype, '-')"

    @Test func theMigrationGivesWhatSQLiteV14Gives() async throws {
        let sqlite = try await Self.sqliteAfterV14()
        let url = try await PostgresTestServer.shared().createDatabase()
        try await Self.seedV8(url: url)
        let store = try await PostgresFixture.openStore(url: url, poolSize: 1)
        defer { store.close() }
        #expect(try await store.schemaVersion() >= 9)
        let postgres = try await Self.tables(store)
        #expect(postgres == sqlite)

        // What both give, stated.
        #expect(postgres.suppressions.map { "\($0.address)|\($0.scope)" } == [
            "\"a b\"@x.example|", "\"a\\\"b\"@x.example|", "\"n-;\u{00E9}\"@x.example|", ".x@y.example|", "a..b@x.example|",
            "a..b@x.example|news", "j\u{00F6}rg..@y.example|", "t..t@x.example|", "z@x.example|",
        ])
        let merged = try #require(postgres.suppressions.first { $0.address == "a..b@x.example" && $0.scope.isEmpty })
        #expect(merged == Suppression(
            address: "a..b@x.example", originalAddress: "\"A..b\"@X.example", reason: .hardBounce, detail: "old",
            firstSeen: Self.t.addingTimeInterval(-100), lastSeen: Self.t.addingTimeInterval(10), count: 5, source: "sns-1"))
        let tie = try #require(postgres.suppressions.first { $0.address == "t..t@x.example" })
        #expect(tie == Suppression(
            address: "t..t@x.example", originalAddress: "T..T@x.example", reason: .complaint, detail: "plain",
            firstSeen: Self.t, lastSeen: Self.t.addingTimeInterval(5), count: Int.max, source: "sns-5",
            expiresAt: Self.t.addingTimeInterval(7200)), "a tie keeps the stored row's reason; counts saturate")
        #expect(try await store.suppression(for: "a..b@x.example", scope: "news", at: Self.t)?.reason == .hardBounce)
        #expect(try await store.list(SuppressionQuery(domain: "y.example", limit: 10)).items.map(\.address) == [".x@y.example", "j\u{00F6}rg..@y.example"])
        #expect(postgres.history == ["a..b@x.example", "\"a b\"@x.example", "g..h@x.example", "g..h@x.example"])
        #expect(try await store.history(address: "g..h@x.example", limit: 10).count == 2)
    }

    /// Only the rows of re-keyed keys are written: a database without such keys is left as it was.
    @Test func aDatabaseWithoutLegacyKeysIsNotWritten() async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        let v8 = try await PostgresFixture.openStoreAt(url: url, migrations: PGSchema.migrations.filter { $0.version <= 8 })
        try await v8.putManual(.make(address: "plain@x.example"))
        try await v8.putManual(.make(address: "\"a b\"@x.example", scope: "news"))
        try await v8.write { connection throws(StoreError) in
            try connection.execute("""
                INSERT INTO soft_bounces (address, count, window_start, last_bounce) VALUES ('"a,b"@x.example', 1, 0, 0), ('c@x.example', 1, 0, 0)
                """)
            try Self.insertHistory(["\"\"@x.example", "d@x.example", "\"a..b\"x@y.example"], in: connection)
        }
        let before = try await Self.rowVersions(v8)
        v8.close()
        let store = try await PostgresFixture.openStore(url: url, poolSize: 1)
        defer { store.close() }
        #expect(try await store.schemaVersion() >= 9)
        #expect(try await Self.rowVersions(store) == before)
    }

    /// Instances starting together on a v8 database re-key once (the advisory lock): counts are added once.
    @Test func instancesStartingTogetherMigrateOnce() async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        try await Self.seedV8(url: url)
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<3 { group.addTask { try await PostgresFixture.openStore(url: url, poolSize: 1) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        defer { for store in stores { store.close() } }
        #expect(try await stores[0].suppressions(of: "a..b@x.example").first?.count == 5)
        #expect(try await Self.tables(stores[1]) == Self.sqliteAfterV14())
    }

    /// The migration's pattern and `AddressNormalizer.unquotedLegacyKey` agree key by key.
    @Test func migrationSQLAgreesWithTheSwiftRule() async throws {
        let keys = [
            "\"a..b\"@x.example", "\".\"@x.example", "\"a.\"@x.example", "\"j\u{00F6}rg..\"@x.example", "\"a b\"@x.example",
            "\"a,b\"@x.example", "\"a@b\"@x.example", "\"a\\\"b\"@x.example", "\"a\\\\b\"@x.example", "\"\"@x.example", "\"a(b\"@x.example",
            "\"a;b\"@x.example", "\"a[b]\"@x.example", "\"a]b\"@x.example", "\"a:b\"@x.example", "\"a<b>\"@x.example", "\"a\tb\"@x.example",
            "\"a\u{01}b\"@x.example", "\"a\u{7F}b\"@x.example", "\"a\u{85}b\"@x.example", "\"a\u{1F600}\"@x.example",
            "\"!#$%&'*+-/=?^_`{|}~\"@x.example", "\"a\"@\"b\"@x.example", "\"a\"@", "\"a\"", "\"", "a..b@x.example",
            "\"a..b\"x@y.example", "x\"a\"@y.example",
        ]
        let url = try await PostgresTestServer.shared().createDatabase()
        let v8 = try await PostgresFixture.openStoreAt(url: url, migrations: PGSchema.migrations.filter { $0.version <= 8 })
        try await v8.write { connection throws(StoreError) in try Self.insertHistory(keys, in: connection) }
        v8.close()
        let store = try await PostgresFixture.openStore(url: url, poolSize: 1)
        defer { store.close() }
        let history = try await store.read { connection throws(StoreError) in
            let result = try connection.execute("SELECT address FROM history ORDER BY id")
            return (0..<result.rowCount).map { result.string($0, 0) }
        }
        #expect(history == keys.map { AddressNormalizer.unquotedLegacyKey($0) ?? $0 })
        // The rest need their quotes (a special, an escape, no content, no `@` after them) and keep them.
        #expect(zip(keys, history).filter { $0 != $1 }.map(\.1) == [
            "a..b@x.example", ".@x.example", "a.@x.example", "j\u{00F6}rg..@x.example", "a\u{85}b@x.example", "a\u{1F600}@x.example",
            "!#$%&'*+-/=?^_`{|}~@x.example", "a@\"b\"@x.example", "a@",
        ])
    }

    // MARK: - Helpers

    /// A database at v8 holding the fixture rows.
    static func seedV8(url: String) async throws {
        let v8 = try await PostgresFixture.openStoreAt(url: url, migrations: PGSchema.migrations.filter { $0.version <= 8 })
        defer { v8.close() }
        for row in suppressions { try await v8.putManual(row) }
        try await v8.write { connection throws(StoreError) in
            for (address, count, start, last, subtype) in softBounces {
                try connection.execute(
                    "INSERT INTO soft_bounces (address, count, window_start, last_bounce, last_subtype) VALUES ($1, $2, $3, $4, $5)",
                    [.text(address), .int(count), .date(start), .date(last), .string(subtype)])
            }
            try insertHistory(history, in: connection)
        }
    }

    static func insertHistory(_ addresses: [String], in connection: PGConnection) throws(StoreError) {
        for (index, address) in addresses.enumerated() {
            try connection.execute("""
                INSERT INTO history (address, kind, original_address, ses_message_id, event_at, identity, subtype, detail, scope,
                    raw_type, outcome, source, recorded_at)
                VALUES ($1, 'hard_bounce', $1, $2, $3, 'example.com', NULL, NULL, '', 'Bounce', 'recorded', 'sns', $3)
                """, [.text(address), .text("m\(index)"), .date(t)])
        }
    }

    static func tables(_ store: PostgresStore) async throws -> Tables {
        var rows: [Suppression] = []
        var cursor: SuppressionCursor?
        repeat {
            let page = try await store.export(after: cursor, limit: 500)
            rows += page.items
            cursor = page.nextCursor
        } while cursor != nil
        let (bounces, history) = try await store.read { connection throws(StoreError) in
            let bounces = try connection.execute("SELECT \(softBounceText) FROM soft_bounces ORDER BY address COLLATE \"C\"")
            let history = try connection.execute("SELECT address FROM history ORDER BY id")
            return ((0..<bounces.rowCount).map { bounces.string($0, 0) }, (0..<history.rowCount).map { history.string($0, 0) })
        }
        return Tables(suppressions: rows, softBounces: bounces, history: history)
    }

    /// The same rows through the SQLite store's migrations up to v13, then v14.
    static func sqliteAfterV14() async throws -> Tables {
        let directory = try TemporaryDirectory()
        let old = try directory.openStore(migrations: Schema.migrations.filter { $0.version < 14 })
        for row in suppressions { try await old.putManual(row) }
        old.close()
        do {
            let database = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 1000)
            for (address, count, start, last, subtype) in softBounces {
                try database.run("INSERT INTO soft_bounces (address, count, window_start, last_bounce, last_subtype) VALUES (?1, ?2, ?3, ?4, ?5)") {
                    $0.bind(address, at: 1)
                    $0.bind(count, at: 2)
                    $0.bind(start, at: 3)
                    $0.bind(last, at: 4)
                    $0.bind(subtype, at: 5)
                }
            }
            for (index, address) in history.enumerated() {
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
        let store = try directory.openStore()
        defer { store.close() }
        #expect(try await store.schemaVersion() >= 14)
        let rows = try await SuppressionImportRuleTests.exported(store)
        let (bounces, history) = try await store.readers.read { database throws(StoreError) in
            (
                try database.strings("SELECT \(softBounceText) FROM soft_bounces ORDER BY address"),
                try database.strings("SELECT address FROM history ORDER BY id")
            )
        }
        return Tables(suppressions: rows, softBounces: bounces, history: history)
    }

    /// Every row's `xmin` (the transaction that last wrote it) in the three tables.
    static func rowVersions(_ store: PostgresStore) async throws -> [String] {
        try await store.read { connection throws(StoreError) in
            let result = try connection.execute("""
                SELECT v FROM (
                    SELECT 's|' || address || '|' || scope || '|' || xmin::text FROM suppressions
                    UNION ALL SELECT 'b|' || address || '|' || xmin::text FROM soft_bounces
                    UNION ALL SELECT 'h|' || address || '|' || xmin::text FROM history
                ) AS rows (v) ORDER BY v COLLATE "C"
                """)
            return (0..<result.rowCount).map { result.string($0, 0) }
        }
    }
}
