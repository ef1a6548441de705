import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// The WAL buffer (`CSQLitePlugins`): a commit's frames go out in one write, and nothing else changes:
/// readers see each commit as soon as it returns, the WAL alone recovers every commit (also when SQLite
/// rewrites frames of a spilled transaction), and a failed write fails its commit and nothing before it.
struct WALBufferTests {
    private static let pageSize = 4096
    private static let frameSize = 24 + pageSize

    /// A writable connection in WAL mode that never checkpoints, so every commit stays in the WAL.
    private static func openWriter(_ path: String, cachePages: Int = 2000) throws -> Database {
        let database = try Database(path: path, readOnly: false, busyTimeoutMilliseconds: 5000)
        try database.execute("""
            PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;
            PRAGMA cache_size = \(cachePages);
            CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)
            """)
        database.keepWALOnClose()
        return database
    }

    /// The payload of row `id` in its `version`: deterministic, so any reader can check every byte.
    private static func payload(_ id: Int, version: Int = 0, size: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ id &* 7 &+ version &* 101) }
    }

    private static func insert(_ database: Database, ids: Range<Int>, size: Int) throws {
        try database.execute("BEGIN")
        for id in ids {
            try database.run("INSERT INTO rows (id, payload) VALUES (?1, ?2)") {
                $0.bind(id, at: 1)
                $0.bind(payload(id, size: size), at: 2)
            }
        }
        try database.execute("COMMIT")
    }

    /// Every row's id and payload, in id order.
    private static func rows(_ database: Database) throws -> [(id: Int, payload: [UInt8])] {
        let statement = try database.statement("SELECT id, payload FROM rows ORDER BY id")
        defer { statement.reset() }
        var result: [(id: Int, payload: [UInt8])] = []
        while try statement.step() { result.append((statement.int(at: 0), statement.blob(at: 1))) }
        return result
    }

    private static func walFrames(_ path: String) throws -> Int {
        let bytes = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        return bytes > 32 ? (bytes - 32) / frameSize : 0
    }

    /// Copies the database and its WAL (not the shared-memory index) to a new folder, as a crash leaves
    /// them; opening the copy makes SQLite rebuild the index from the WAL's checksummed frames.
    private static func recoveredCopy(of path: String, into directory: TemporaryDirectory) throws -> Database {
        let copy = directory.url.appendingPathComponent("copy.sqlite").path
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy + "-wal")
        return try Database(path: copy, readOnly: false, busyTimeoutMilliseconds: 5000)
    }

    /// A checkpoint that defers the database file's sync still syncs the WAL first (SQLite's own sync under
    /// the checkpoint's lock, with `synchronous = NORMAL`), and only while deferring is that file's sync skipped.
    @Test func deferringCheckpointSyncsTheWALAndSkipsOnlyTheDatabaseFileSync() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("defer.sqlite").path
        let writer = try Self.openWriter(path)
        // Another connection's commit, synced by nobody (as another process's before its sync).
        let other = try Self.openWriter(path)
        try other.execute("PRAGMA synchronous = OFF")
        try Self.insert(other, ids: 0..<20, size: 100)
        let before = try #require(writer.walBufferStatistics)

        let result = try writer.checkpointPassiveDeferringDatabaseSync()
        #expect(result.log > 0 && result.copied == result.log)
        let deferred = try #require(writer.walBufferStatistics)
        #expect(deferred.walSyncs == before.walSyncs + 1)
        #expect(deferred.deferredDatabaseSyncs == before.deferredDatabaseSyncs + 1)

        // Deferring ends with that checkpoint: the next one syncs the database file again.
        try Self.insert(other, ids: 20..<40, size: 100)
        try writer.checkpointPassive()
        let plain = try #require(writer.walBufferStatistics)
        #expect(plain.walSyncs == deferred.walSyncs + 1)
        #expect(plain.deferredDatabaseSyncs == deferred.deferredDatabaseSyncs)
        #expect(try Self.rows(writer).count == 40)
    }

    @Test func gathersTheFramesOfACommitIntoOneWritePer124KiB() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(at: directory.url.appendingPathComponent("data"), withIntermediateDirectories: true)
        let writer = try Self.openWriter(directory.databasePath)
        try Self.insert(writer, ids: 0..<1, size: 10)  // the WAL header and the table
        let before = try #require(writer.walBufferStatistics)

        var frames = try Self.walFrames(directory.databasePath)
        try Self.insert(writer, ids: 1..<21, size: 1000)
        let smallFrames = try Self.walFrames(directory.databasePath) - frames
        let afterSmall = try #require(writer.walBufferStatistics)
        #expect(smallFrames >= 5)
        #expect(afterSmall.writes - before.writes == 1)

        frames = try Self.walFrames(directory.databasePath)
        try Self.insert(writer, ids: 21..<171, size: 3500)
        let largeFrames = try Self.walFrames(directory.databasePath) - frames
        let afterLarge = try #require(writer.walBufferStatistics)
        let chunks = (largeFrames * Self.frameSize + 124 * 1024 - 1) / (124 * 1024)
        #expect(largeFrames >= 150)
        #expect(afterLarge.writes - afterSmall.writes == chunks)
        // A commit's frames went out with its last frame, none were left for the WAL-index barrier.
        #expect(afterLarge.barrierFlushes == 0)
        #expect(try Self.rows(writer).count == 171)
    }

    @Test func readersSeeEveryCommitAsSoonAsItReturns() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(at: directory.url.appendingPathComponent("data"), withIntermediateDirectories: true)
        let writer = try Self.openWriter(directory.databasePath)
        let reader = try Database(path: directory.databasePath, readOnly: true, busyTimeoutMilliseconds: 5000)
        var expected: [(id: Int, size: Int)] = []
        var next = 0
        for round in 0..<60 {
            // Mostly small commits; every 20th is larger than the 1 MiB buffer, so it goes out in several writes.
            let count = round % 20 == 19 ? 300 : round % 5 + 1
            let size = round % 20 == 19 ? 3900 : 200 + round * 97
            try Self.insert(writer, ids: next..<next + count, size: size)
            expected += (next..<next + count).map { (id: $0, size: size) }
            next += count

            // This commit's rows, byte for byte, and the count of all of them.
            let seen = try Self.rows(reader)
            try #require(seen.count == expected.count, "round \(round)")
            let wrong = zip(seen.suffix(count), expected.suffix(count))
                .filter { $0.id != $1.id || $0.payload != Self.payload($1.id, size: $1.size) }
            try #require(wrong.isEmpty, "round \(round): rows \(wrong.map(\.0.id)) differ")
        }
        let all = try Self.rows(reader)
        #expect(zip(all, expected).allSatisfy { $0.id == $1.id && $0.payload == Self.payload($1.id, size: $1.size) })
        #expect(try reader.strings("PRAGMA quick_check") == ["ok"])
    }

    @Test func theWALAloneRecoversEveryCommitIncludingRewrittenFrames() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(at: directory.url.appendingPathComponent("data"), withIntermediateDirectories: true)
        // A page cache of 8 pages: a long transaction spills dirty pages into the WAL before its commit and
        // then changes them again, which makes SQLite overwrite those frames and rewrite the checksums of
        // every frame after them once the commit frame is written.
        let writer = try Self.openWriter(directory.databasePath, cachePages: 8)
        try Self.insert(writer, ids: 0..<200, size: 3000)
        try Self.insert(writer, ids: 200..<203, size: 100)
        try writer.execute("BEGIN")
        for version in 1...2 {
            for id in 0..<200 {
                try writer.run("UPDATE rows SET payload = ?2 WHERE id = ?1") {
                    $0.bind(id, at: 1)
                    $0.bind(Self.payload(id, version: version, size: 3000), at: 2)
                }
            }
        }
        try writer.execute("COMMIT")
        // Copied right after that commit: the rewritten checksums must already be in the file.
        let statistics = try #require(writer.walBufferStatistics)
        #expect(statistics.barrierFlushes >= 1)

        let copy = try Self.recoveredCopy(of: directory.databasePath, into: directory)
        let recovered = try Self.rows(copy)
        #expect(recovered.map(\.id) == Array(0..<203))
        let stale = recovered.filter { $0.id < 200 && $0.payload != Self.payload($0.id, version: 2, size: 3000) }
        #expect(stale.isEmpty, "rows \(stale.map(\.id)) lack the committed update")
        #expect(try copy.strings("PRAGMA integrity_check") == ["ok"])
    }

    @Test func aFailedWALWriteFailsItsCommitAndKeepsEveryOther() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(at: directory.url.appendingPathComponent("data"), withIntermediateDirectories: true)
        let writer = try Self.openWriter(directory.databasePath)
        let reader = try Database(path: directory.databasePath, readOnly: true, busyTimeoutMilliseconds: 5000)
        try Self.insert(writer, ids: 0..<10, size: 500)

        writer.failNextWALWrites(1)
        #expect(throws: StoreError.self) { try Self.insert(writer, ids: 10..<15, size: 500) }
        if !writer.isAutocommit { try writer.execute("ROLLBACK") }
        #expect(try Self.rows(reader).map(\.id) == Array(0..<10))

        try Self.insert(writer, ids: 10..<15, size: 700)
        #expect(try Self.rows(reader).map(\.id) == Array(0..<15))
        let copy = try Self.recoveredCopy(of: directory.databasePath, into: directory)
        let recovered = try Self.rows(copy)
        #expect(recovered.map(\.id) == Array(0..<15))
        #expect(recovered.allSatisfy { $0.payload == Self.payload($0.id, size: $0.id < 10 ? 500 : 700) }, "payloads differ")
        #expect(try copy.strings("PRAGMA integrity_check") == ["ok"])
    }
}
