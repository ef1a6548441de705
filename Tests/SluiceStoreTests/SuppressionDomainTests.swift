import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// Schema v4: the domain filter reads `suppression_domains`, which the store fills and a trigger empties.
struct SuppressionDomainTests {
    /// Rows of `table`, read straight from the file.
    private static func rowCount(_ table: String, in directory: TemporaryDirectory) throws -> Int {
        let database = try Database(path: directory.databasePath, readOnly: true, busyTimeoutMilliseconds: 1000)
        return Int(try database.strings("SELECT count(*) FROM \(table)").first ?? "") ?? -1
    }

    /// Every address listed for `domain`, page by page (`limit` rows a page).
    private static func listed(_ store: SQLiteStore, domain: String, reason: SuppressionReason? = nil, limit: Int = 2) async throws -> [String] {
        var result: [String] = []
        var cursor: SuppressionCursor?
        for _ in 0..<100 {
            let page = try await store.list(SuppressionQuery(reason: reason, domain: domain, limit: limit, cursor: cursor))
            result += page.items.map { "\($0.address)|\($0.scope)" }
            cursor = page.nextCursor
            if cursor == nil { break }
        }
        return result
    }

    @Test func upgradeToV4CopiesTheDomainEntriesAndDeletesRemoveThem() async throws {
        let directory = try TemporaryDirectory()
        try directory.openStore(migrations: [Schema.v1, Schema.v2, Schema.v3]).close()
        do {
            // Rows written under v3, straight into the file (this build's writes need v4's table).
            let database = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 1000)
            let rows = [("b@one.test", "", "hard_bounce", "NULL"), ("a@one.test", "news", "hard_bounce", "NULL"), ("a@one.test", "", "hard_bounce", "NULL"),
                        ("c@two.test", "", "complaint", "NULL"), ("d@one.test", "", "hard_bounce", "\(Statement.milliseconds(referenceDate) - 60_000)")]
            for (address, scope, reason, expiry) in rows {
                try database.execute("""
                    INSERT INTO suppressions (address, scope, original_address, reason, first_seen, last_seen, count, source, expires_at, domain)
                    VALUES ('\(address)', '\(scope)', '\(address)', '\(reason)', 0, 0, 1, 'test', \(expiry), '\(SuppressionRows.domain(of: address))')
                    """)
            }
        }
        let store = try directory.openStore()
        defer { store.close() }
        #expect(try await store.schemaVersion() == Schema.migrations.last?.version)
        #expect(try Self.rowCount("suppression_domains", in: directory) == 5)
        #expect(try await Self.listed(store, domain: "one.test") == ["a@one.test|", "a@one.test|news", "b@one.test|", "d@one.test|"])
        #expect(try await Self.listed(store, domain: "two.test", reason: .complaint) == ["c@two.test|"])
        #expect(try await Self.listed(store, domain: "two.test", reason: .manual).isEmpty)

        #expect(try await store.remove(address: "a@one.test", scope: "news"))
        #expect(try await store.purgeExpired(at: referenceDate) == 1)
        #expect(try await Self.listed(store, domain: "one.test") == ["a@one.test|", "b@one.test|"])
        #expect(try Self.rowCount("suppression_domains", in: directory) == 3)
    }

    @Test func everyWriterListsNewKeysOnce() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        try await store.putManual(.make(address: "m@x.test", reason: .manual))
        try await store.putManual(.make(address: "m@x.test", reason: .complaint))  // replaced, not listed twice
        // A chunk with a key twice, a stored key, and domains out of address order.
        let chunk: [Suppression] = (0..<40).map { .make(address: "u\($0 % 17)@d\($0 % 3).test") }
            + [.make(address: "m@x.test"), .make(address: "a@x.test", scope: "list")]
        #expect(try await store.importBatch(chunk) == chunk.count)
        #expect(try Self.rowCount("suppression_domains", in: directory) == (try Self.rowCount("suppressions", in: directory)))
        #expect(try await Self.listed(store, domain: "x.test") == ["a@x.test|list", "m@x.test|"])
        let d1 = try await Self.listed(store, domain: "d1.test", limit: 3)
        // The addresses u0…u16 whose index n (< 40, n % 17 equal) has n % 3 == 1, in byte order.
        let expected = Set((0..<40).filter { $0 % 3 == 1 }.map { "u\($0 % 17)@d1.test|" }).sorted()
        #expect(d1 == expected)
    }

    @Test func chunksAreOrderedByKeyBytesAndDomainWithFileOrderOnTies() {
        let rows: [Suppression] = [
            .make(address: "é@b.test"), .make(address: "z@a.test"), .make(address: "e@b.test", count: 1),
            .make(address: "e@b.test", count: 2), .make(address: "e@b.test", scope: "a"), .make(address: "a@c.test"),
        ]
        // Byte order puts "é" (0xC3 0xA9) after every ASCII letter; equal keys keep their positions' order.
        #expect(SQLiteStore.keyOrder(rows) == [5, 2, 3, 4, 1, 0])
        #expect(SQLiteStore.domainOrder(rows) == [1, 2, 3, 4, 0, 5])
    }
}
