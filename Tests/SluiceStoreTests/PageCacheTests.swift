import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// The page cache (`Sources/CSQLitePlugins/page_cache.c`): SQLite's own, with the lock-byte page's number
/// stored under 0. Pages that SQLite parks there while it rebalances B-tree pages from the free list must
/// come back intact, and a cache cleared or truncated must not keep one.
struct PageCacheTests {
    /// Deterministic keys in random order, so index pages split all over the tree.
    private static func key(_ index: Int) -> String {
        var state = UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15
        state ^= state >> 29
        return String(state, radix: 36) + "-\(index)"
    }

    @Test func pagesParkedUnderTheLockPageNumberComeBackIntact() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(at: directory.url.appendingPathComponent("data"), withIntermediateDirectories: true)
        let database = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 5000)
        try database.execute("""
            PRAGMA journal_mode = WAL; PRAGMA cache_size = 200;
            CREATE TABLE entries (id INTEGER PRIMARY KEY, key TEXT NOT NULL, body TEXT NOT NULL);
            CREATE INDEX entries_key ON entries (key)
            """)
        let insert = "INSERT INTO entries (id, key, body) VALUES (?1, ?2, ?3)"
        let rekeysBefore = Database.pageCacheLockPageRekeys
        var live = Set<Int>()
        // Rounds of inserts and range deletes: the deletes fill the free list, and the next round's page
        // splits take pages from it, out of order, which is when SQLite parks pages under that number.
        for round in 0..<6 {
            try database.execute("BEGIN")
            for index in round * 3000..<(round + 1) * 3000 {
                try database.run(insert) {
                    $0.bind(index, at: 1)
                    $0.bind(Self.key(index), at: 2)
                    $0.bind(String(repeating: "b", count: 40 + index % 200), at: 3)
                }
                live.insert(index)
            }
            try database.execute("COMMIT")
            let low = round * 3000 + 500
            try database.run("DELETE FROM entries WHERE id BETWEEN ?1 AND ?2") {
                $0.bind(low, at: 1)
                $0.bind(low + 1999, at: 2)
            }
            live.subtract(low...(low + 1999))
        }
        #expect(Database.pageCacheLockPageRekeys > rekeysBefore)

        #expect(try database.strings("PRAGMA integrity_check") == ["ok"])
        let ids = try database.strings("SELECT id FROM entries ORDER BY key").compactMap(Int.init)
        #expect(Set(ids) == live)
        #expect(ids.count == live.count)
        let keys = try database.strings("SELECT key FROM entries ORDER BY key")
        #expect(keys == live.map(Self.key).sorted())
        #expect(try database.strings("SELECT count(*) FROM entries WHERE length(body) != 40 + id % 200") == ["0"])
    }
}
