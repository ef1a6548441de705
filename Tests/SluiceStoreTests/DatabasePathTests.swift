import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The paths a store, a backup and a restore derive from the configured one: a symlinked database file,
/// and a `-wal` found without its database (which SQLite would delete, commits and all).
struct DatabasePathTests {
    private func suppress(_ store: SQLiteStore, _ address: String) async throws {
        try await store.putManual(Suppression(
            address: address, scope: "", reason: .manual, detail: nil, firstSeen: Date(), lastSeen: nil, count: 1,
            source: "operator:test", expiresAt: nil))
    }

    private func has(_ store: SQLiteStore, _ address: String) async throws -> Bool {
        try await store.suppression(for: address, scope: nil, at: Date()) != nil
    }

    private func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
    }

    /// After a `kill -9` the newest commits are only in the WAL; the database file moved away (or emptied)
    /// must not make the next open start a new database and delete that WAL.
    @Test(arguments: [false, true])
    func openingRefusesAWALWithoutItsDatabaseAndKeepsIt(emptyFile: Bool) async throws {
        let directory = try TemporaryDirectory()
        let path = directory.databasePath
        let store = try directory.openStore(checkpointPages: 1_000_000)
        try await suppress(store, "kept@example.com")
        // The acknowledged WAL as a killed process leaves it (a clean close would checkpoint it away).
        let savedWAL = directory.url.appendingPathComponent("saved-wal").path
        try FileManager.default.copyItem(atPath: path + "-wal", toPath: savedWAL)
        let backup = directory.url.appendingPathComponent("backup.sqlite").path
        _ = try SQLiteBackup.copy(database: path, to: backup)
        store.close()
        try FileManager.default.moveItem(atPath: path, toPath: path + ".moved")
        try FileManager.default.removeItem(atPath: path + "-wal")
        try FileManager.default.copyItem(atPath: savedWAL, toPath: path + "-wal")
        if emptyFile { #expect(FileManager.default.createFile(atPath: path, contents: Data())) }
        let walSize = size(path + "-wal")
        #expect(walSize > 0)

        let refused = #expect(throws: StoreError.self) { try directory.openStore() }
        #expect(refused?.code == .unavailable)
        #expect(refused?.message == "'\(path)-wal' exists without its database: move it away first")
        #expect(size(path + "-wal") == walSize, "the WAL is untouched")
        #expect(FileManager.default.fileExists(atPath: path) == emptyFile, "no database was created")

        // The restore refuses with the same words (one check for both).
        let restore = #expect(throws: SQLiteRestore.Failure.self) { try SQLiteRestore.restore(backup: backup, into: path) }
        #expect(restore?.kind == .io)
        #expect(restore?.message == refused?.message)
        #expect(size(path + "-wal") == walSize)

        // Moved away, the WAL no longer stands in the way.
        try FileManager.default.moveItem(atPath: path + "-wal", toPath: path + ".orphan-wal")
        let reopened = try directory.openStore()
        reopened.close()
    }

    /// SQLite opens the symlink's target and puts the WAL beside it: the store syncs that WAL (writes
    /// succeed), takes the lock there, and a restore replaces the target file and leaves the symlink.
    @Test func aSymlinkedDatabaseFileIsWrittenBackedUpAndRestoredThroughItsTarget() async throws {
        let directory = try TemporaryDirectory()
        let real = directory.url.appendingPathComponent("real").path
        let linked = directory.url.appendingPathComponent("linked").path
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: linked, withIntermediateDirectories: true)
        let target = real + "/sluice.sqlite"
        let link = linked + "/sluice.sqlite"
        // A relative, dangling link at first: the store creates the file it points to.
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "../real/sluice.sqlite")

        let store = try directory.openStore(path: link)
        #expect(store.configuration.path == DatabasePath.resolved(target))
        try await suppress(store, "before@example.com")
        try await store.checkWritable()
        #expect(FileManager.default.fileExists(atPath: target + "-wal"))
        #expect(FileManager.default.fileExists(atPath: target + ".lock"))
        #expect(!FileManager.default.fileExists(atPath: link + "-wal"))

        let backup = directory.url.appendingPathComponent("backup.sqlite").path
        _ = try SQLiteBackup.copy(database: link, to: backup)
        try await suppress(store, "after@example.com")
        // The store holds the target's lock: a restore through the link sees it.
        let refused = #expect(throws: SQLiteRestore.Failure.self) { try SQLiteRestore.restore(backup: backup, into: link) }
        #expect(refused?.kind == .inUse)
        store.close()

        let summary = try SQLiteRestore.restore(backup: backup, into: link)
        #expect(summary.replacedPath?.hasPrefix(DatabasePath.resolved(target) + ".replaced-") == true, "\(String(describing: summary.replacedPath))")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "../real/sluice.sqlite", "the link stays")
        let reopened = try directory.openStore(path: link)
        defer { reopened.close() }
        #expect(try await has(reopened, "before@example.com"))
        #expect(try await has(reopened, "after@example.com") == false, "the restored file is the backup")
        try await suppress(reopened, "restored@example.com")
    }

    @Test func resolvesLinksAndLeavesSQLiteNamesAlone() throws {
        let directory = try TemporaryDirectory()
        let folder = DatabasePath.resolved(directory.url.path)
        #expect(DatabasePath.resolved(":memory:") == ":memory:")
        #expect(DatabasePath.resolved(directory.url.path + "/./x.sqlite") == folder + "/x.sqlite")
        #expect(DatabasePath.resolved(directory.url.path + "/missing/x.sqlite") == directory.url.path + "/missing/x.sqlite")
        try FileManager.default.createSymbolicLink(atPath: folder + "/a", withDestinationPath: folder + "/b")
        try FileManager.default.createSymbolicLink(atPath: folder + "/b", withDestinationPath: "c")
        #expect(DatabasePath.resolved(folder + "/a") == folder + "/c", "a chain of dangling links ends at the file SQLite creates")
        #expect(FileManager.default.createFile(atPath: folder + "/c", contents: Data()))
        #expect(DatabasePath.resolved(folder + "/a") == folder + "/c")
    }
}
