import Foundation
import SluiceApp
import SluiceCore
import SluiceStore
import SluiceTestSupport
import Testing

/// `sluice suppressions import` killed with SIGKILL mid-import: acknowledged chunks (staged runs, schema v6)
/// survive whole, nothing is half-written, and the store reads and merges normally afterwards.
@Suite(.serialized)
struct SuppressionImportCrashTests {
    @Test func killDuringImportKeepsWholeChunksOnly() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: sluiceExecutable.path), "build the sluice product first")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("db.sqlite").path
        let chunk = SuppressionService.defaultImportChunk
        let total = chunk * 2 + 1
        var text = Array("address,reason\n".utf8)
        text.reserveCapacity(total * 40)
        for i in 0..<total { text += "k\(i)@d\(i % 97).example.org,hard_bounce\n".utf8 }
        let csv = directory.appendingPathComponent("in.csv")
        try Data(text).write(to: csv)
        // Migrated before the child starts, so polling never races the schema's creation.
        try SQLiteStore(configuration: SQLiteStoreConfiguration(path: database)).close()

        let process = Process()
        process.executableURL = sluiceExecutable
        process.arguments = ["suppressions", "import", csv.path]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLUICE_") }
        environment["SLUICE_DATABASE_PATH"] = database
        environment["SLUICE_LOG_LEVEL"] = "error"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // Kill as soon as the first chunk is acknowledged (committed as a staged run).
        let watcher = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: database))
        watcher.setBackgroundMerge(enabled: false)
        for _ in 0..<6000 where process.isRunning {
            if try await watcher.stagedSuppressions().rows > 0 { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        watcher.close()

        let store = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: database))
        defer { store.close() }
        store.setBackgroundMerge(enabled: false)
        let staged = try await store.stagedSuppressions()
        var rows: [Suppression] = []
        var cursor: SuppressionCursor?
        var pages = 0
        repeat {
            let page = try await store.export(after: cursor, limit: SQLiteStore.maxExportPage)
            rows += page.items
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 1_000  // bounded: a cursor that never ends fails here
        try #require(cursor == nil, "export still had pages after \(pages)")
        // Whole chunks only: each committed run holds exactly one chunk of the file, in file order.
        #expect(rows.count > 0)
        #expect(rows.count % chunk == 0, "\(rows.count) rows is not a whole number of chunks")
        let expected = Set((0..<rows.count).map { "k\($0)@d\($0 % 97).example.org" })
        #expect(Set(rows.map(\.address)) == expected)
        #expect(rows.allSatisfy { $0.reason == .hardBounce && $0.count == 1 })
        #expect(try await store.counts(byReason: Date())[.hardBounce] == rows.count)
        #expect(try await store.suppression(for: "k0@d0.example.org", scope: nil, at: Date()) != nil)
        // The merge picks up what the killed process left staged.
        #expect(try await store.drainStagedSuppressions() == staged.rows)  // distinct keys: one row each
        #expect(try await store.stagedSuppressions() == (0, 0))
        #expect(try await store.export(after: nil, limit: SQLiteStore.maxExportPage).items.count == min(rows.count, SQLiteStore.maxExportPage))
        #expect(try await store.counts(byReason: Date())[.hardBounce] == rows.count)
    }
}
