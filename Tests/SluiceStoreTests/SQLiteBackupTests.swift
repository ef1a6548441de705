import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `SQLiteBackup` (an online copy) and `SQLiteRestore` (putting one back) on real files, with the store
/// open and writing.
struct SQLiteBackupTests {
    private func ingest(_ store: SQLiteStore, _ range: Range<Int>) async throws {
        for index in range {
            let event = RecipientEvent.make(.hardBounce, address: "u\(index)@example.com")
            #expect(try await store.ingest(.make(id: "m-\(index)"), events: [event], policy: TestPolicy()) == .stored(events: 1))
        }
    }

    private func messageCount(_ path: String) throws -> Int {
        let database = try Database(path: path, readOnly: true, busyTimeoutMilliseconds: 1000)
        return Int(try database.strings("SELECT count(*) FROM sns_messages").first ?? "") ?? -1
    }

    @Test func copiesEveryCommitWhileTheStoreWritesAndTheCopyStandsAlone() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        try await ingest(store, 0..<200)
        // The newest commits are in the WAL, not in the database file: copying the file would lose them.
        #expect(try FileManager.default.attributesOfItem(atPath: directory.databasePath + "-wal")[.size] as? Int ?? 0 > 0)

        // Writes go on while the copy is taken.
        let writing = Task { try await ingest(store, 200..<400) }
        let target = directory.url.appendingPathComponent("backup.sqlite").path
        let summary = try SQLiteBackup.copy(database: directory.databasePath, to: target)
        try await writing.value

        #expect(summary.path == target && summary.verified && summary.schemaVersion == SQLiteRestore.newestSchemaVersion)
        #expect(summary.bytes == (try FileManager.default.attributesOfItem(atPath: target)[.size] as? NSNumber)?.int64Value)
        let copied = try messageCount(target)
        #expect((200...400).contains(copied), "one snapshot: every commit before the copy began, \(copied) rows")
        #expect(!FileManager.default.fileExists(atPath: target + "-wal"), "the copy is one file")
        #expect(try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int == 0o600)
        // Opened as a store of its own, the copy answers like the original did for the rows it holds.
        let reopened = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: target))
        defer { reopened.close() }
        let first = try await reopened.hasMessage(id: "m-0")
        let last = try await reopened.hasMessage(id: "m-199")
        #expect(first && last)
        #expect(try await reopened.integrityCheck().isEmpty)
        #expect(try await store.hasMessage(id: "m-399"), "the store kept writing")
        #expect(try leftovers(in: directory).isEmpty)
    }

    @Test func neverOverwritesAndLeavesNothingBehindWhenItCannotWrite() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        try await ingest(store, 0..<5)
        let target = directory.url.appendingPathComponent("backup.sqlite").path
        try Data("precious".utf8).write(to: URL(fileURLWithPath: target))

        let exists = #expect(throws: SQLiteBackup.Failure.self) { try SQLiteBackup.copy(database: directory.databasePath, to: target) }
        #expect(exists?.kind == .targetNotCreatable)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious")

        let noFolder = #expect(throws: SQLiteBackup.Failure.self) {
            try SQLiteBackup.copy(database: directory.databasePath, to: directory.url.appendingPathComponent("missing/backup.sqlite").path)
        }
        #expect(noFolder?.kind == .targetNotCreatable)
        let noSource = #expect(throws: SQLiteBackup.Failure.self) {
            try SQLiteBackup.copy(database: directory.url.appendingPathComponent("none.sqlite").path, to: target + ".2")
        }
        #expect(noSource?.kind == .sourceMissing)
        // Not a database: VACUUM INTO fails after the partial file was made, and that file goes too.
        let notDatabase = directory.url.appendingPathComponent("text.sqlite").path
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: notDatabase))
        let failed = #expect(throws: SQLiteBackup.Failure.self) { try SQLiteBackup.copy(database: notDatabase, to: target + ".3") }
        #expect(failed?.kind == .store)
        #expect(!FileManager.default.fileExists(atPath: target + ".3"))
        #expect(try leftovers(in: directory).isEmpty)
    }

    @Test func restoreKeepsTheReplacedDatabaseWithItsWAL() async throws {
        let directory = try TemporaryDirectory()
        let backup = directory.url.appendingPathComponent("backup.sqlite").path
        do {
            let store = try directory.openStore()
            try await ingest(store, 0..<10)
            _ = try SQLiteBackup.copy(database: directory.databasePath, to: backup)
            try await ingest(store, 10..<15)
            store.close()
        }
        // The live database's last commits are in its WAL: after the swap that WAL must stay with it.
        #expect(FileManager.default.fileExists(atPath: directory.databasePath + "-wal"))

        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let summary = try SQLiteRestore.restore(backup: backup, into: directory.databasePath, now: now)
        let aside = try #require(summary.replacedPath)
        #expect(aside == directory.databasePath + ".replaced-20260921T141320")
        #expect(FileManager.default.fileExists(atPath: aside + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: directory.databasePath + "-wal"))
        #expect(try messageCount(directory.databasePath) == 10, "the backup's rows, not the old WAL's")
        #expect(try messageCount(aside) == 15, "the replaced pair still opens with every commit")

        // Restored, the store opens and writes again.
        let store = try directory.openStore()
        try await ingest(store, 100..<101)
        #expect(try await store.integrityCheck().isEmpty)
        store.close()

        // A second restore in the same second keeps both replaced databases.
        let second = try SQLiteRestore.restore(backup: backup, into: directory.databasePath, now: now)
        #expect(second.replacedPath == aside + "-2")
        #expect(try messageCount(aside + "-2") == 11)
        #expect(try messageCount(aside) == 15)
    }

    /// A database whose backup holds 10 messages and whose live pair 15, the last ones only in its WAL.
    private func liveDatabaseAndBackup(_ directory: TemporaryDirectory) async throws -> String {
        let backup = directory.url.appendingPathComponent("backup.sqlite").path
        let store = try directory.openStore()
        try await ingest(store, 0..<10)
        _ = try SQLiteBackup.copy(database: directory.databasePath, to: backup)
        try await ingest(store, 10..<15)
        store.close()
        try #require(FileManager.default.fileExists(atPath: directory.databasePath + "-wal"))
        return backup
    }

    /// Stopped between any two steps (as a kill would stop it), a restore leaves a complete pair aside with
    /// every commit, and the live name always names a database that opens; a second restore finishes.
    @Test(arguments: [SQLiteRestore.Step.replacedKept, .liveWALRemoved])
    func restoreStoppedMidwayLeavesTheReplacedPairComplete(step: SQLiteRestore.Step) async throws {
        let directory = try TemporaryDirectory()
        let backup = try await liveDatabaseAndBackup(directory)
        let live = directory.databasePath
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let aside = live + ".replaced-20260921T141320"
        let stop = SQLiteRestore.Failure(kind: .io, message: "stopped")
        #expect(throws: SQLiteRestore.Failure.self) {
            try SQLiteRestore.restore(
                backup: backup, into: live, newestSchemaVersion: SQLiteRestore.newestSchemaVersion, now: now,
                stoppingAt: { (reached) throws(SQLiteRestore.Failure) in if reached == step { throw stop } })
        }
        #expect(FileManager.default.fileExists(atPath: aside + "-wal"))
        #expect(try messageCount(aside) == 15, "the pair aside opens with every commit")
        switch step {
        case .replacedKept:
            #expect(try messageCount(live) == 15, "nothing changed under the live name yet")
        case .liveWALRemoved:
            // The old database without its WAL: only what was checkpointed into it (here not even the
            // schema), but a consistent file that opens, and never beside a WAL that is not its own.
            #expect(!FileManager.default.fileExists(atPath: live + "-wal"))
            let stale = try Database(path: live, readOnly: true, busyTimeoutMilliseconds: 1000)
            #expect(try stale.strings("PRAGMA quick_check") == ["ok"])
        }

        let summary = try SQLiteRestore.restore(backup: backup, into: live, now: now)
        #expect(try messageCount(live) == 10)
        #expect(summary.replacedPath == aside + "-2")
        #expect(try messageCount(aside) == 15)
    }

    /// The restore holds `NAME.lock` exclusively across the swap: a store cannot open the database then
    /// (it would create a new one while the name is being replaced), and while a store has it open no
    /// restore can take it.
    @Test func restoreAndStoresExcludeEachOtherThroughTheLockFile() async throws {
        let directory = try TemporaryDirectory()
        let backup = try await liveDatabaseAndBackup(directory)
        let live = directory.databasePath

        var refusedDuringSwap: StoreError?
        _ = try SQLiteRestore.restore(
            backup: backup, into: live, newestSchemaVersion: SQLiteRestore.newestSchemaVersion, now: Date(),
            stoppingAt: { (reached) throws(SQLiteRestore.Failure) in
                guard reached == .liveWALRemoved else { return }
                do throws(StoreError) {
                    _ = try DatabaseLock.shared(for: live, patience: .milliseconds(100))
                } catch {
                    refusedDuringSwap = error
                }
            })
        #expect(refusedDuringSwap?.code == .unavailable)
        #expect(refusedDuringSwap?.message.contains("is being restored") == true, "\(String(describing: refusedDuringSwap))")
        #expect(try messageCount(live) == 10)

        // A store holds the lock shared while open: a restore cannot take it, and gets it once it closed.
        let store = try directory.openStore()
        #expect(try DatabaseLock.exclusive(for: live) == nil)
        store.close()
        let exclusive = try #require(try DatabaseLock.exclusive(for: live))
        exclusive.release()
    }

    @Test func restoreRefusesABadBackupAndChangesNothing() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        try await ingest(store, 0..<3)
        store.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: directory.databasePath))

        let garbage = directory.url.appendingPathComponent("garbage.sqlite").path
        try Data(repeating: 0x42, count: 4096).write(to: URL(fileURLWithPath: garbage))
        let notSluice = directory.url.appendingPathComponent("other.sqlite").path
        do {
            let other = try Database(path: notSluice, readOnly: false, busyTimeoutMilliseconds: 1000)
            try other.execute("CREATE TABLE t (x); INSERT INTO t VALUES (1)")
        }
        let newer = directory.url.appendingPathComponent("newer.sqlite").path
        _ = try SQLiteBackup.copy(database: directory.databasePath, to: newer)
        for (path, text) in [(garbage, "not a readable Sluice database"), (notSluice, "not a readable Sluice database"),
                             (directory.url.appendingPathComponent("absent").path, "no backup")] {
            let failure = #expect(throws: SQLiteRestore.Failure.self) { try SQLiteRestore.restore(backup: path, into: directory.databasePath) }
            #expect(failure?.kind == .badBackup)
            #expect(failure?.message.contains(text) == true, "\(failure?.message ?? "")")
        }
        let tooNew = #expect(throws: SQLiteRestore.Failure.self) {
            try SQLiteRestore.restore(backup: newer, into: directory.databasePath, newestSchemaVersion: SQLiteRestore.newestSchemaVersion - 1)
        }
        #expect(tooNew?.message.contains("newer than this build") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.databasePath)) == before)
        #expect(try leftovers(in: directory).isEmpty)
    }

    /// A rollback journal beside the database's name would be replayed into the restored file: refused.
    /// A restore killed mid-copy left its hidden copy: the next restore removes it.
    @Test func restoreRefusesAJournalBesideTheNameAndRemovesAKilledRestoresCopy() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        try await ingest(store, 0..<3)
        store.close()
        let backup = directory.url.appendingPathComponent("nightly.sqlite").path
        _ = try SQLiteBackup.copy(database: directory.databasePath, to: backup)
        let journal = directory.databasePath + "-journal"
        try Data(repeating: 0, count: 512).write(to: URL(fileURLWithPath: journal))
        let failure = #expect(throws: SQLiteRestore.Failure.self) { try SQLiteRestore.restore(backup: backup, into: directory.databasePath) }
        #expect(failure?.kind == .io)
        #expect(failure?.message.contains("-journal") == true)
        try FileManager.default.removeItem(atPath: journal)

        let dead = try Self.exitedProcessID()
        let folder = URL(fileURLWithPath: directory.databasePath).deletingLastPathComponent().path
        let killed = folder + "/.sluice.sqlite.partial-\(dead)-9f9f"
        try Data(repeating: 1, count: 100).write(to: URL(fileURLWithPath: killed))
        _ = try SQLiteRestore.restore(backup: backup, into: directory.databasePath)
        #expect(try leftovers(in: directory).isEmpty)
    }

    /// A backup killed with SIGKILL leaves `.NAME.partial-PID-…` and its `-journal`: the next backup to that
    /// name removes them once their process is gone, and leaves those of a live process alone.
    @Test func aLaterBackupRemovesThePartialFilesOfAKilledOne() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        try await ingest(store, 0..<3)
        let target = directory.url.appendingPathComponent("nightly.sqlite").path
        let folder = directory.url.path
        let dead = try Self.exitedProcessID()
        let stale = folder + "/.nightly.sqlite.partial-\(dead)-1a2b"
        let live = folder + "/.nightly.sqlite.partial-\(getpid())-3c4d"
        let other = folder + "/.other.sqlite.partial-\(dead)-5e6f"
        // A journal SQLite made after its file was removed (a signal handler racing the copy).
        let orphan = folder + "/.nightly.sqlite.partial-\(dead)-7a8b-journal"
        for path in [stale, stale + "-journal", live, other, orphan] {
            #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
        }

        _ = try SQLiteBackup.copy(database: directory.databasePath, to: target)
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(!FileManager.default.fileExists(atPath: stale + "-journal"))
        #expect(!FileManager.default.fileExists(atPath: orphan))
        #expect(FileManager.default.fileExists(atPath: live), "its process still runs")
        #expect(FileManager.default.fileExists(atPath: other), "another target's")

        // What a signal handler calls: this process's own partial files for the target.
        SQLiteBackup.removePartialFiles(for: target)
        #expect(!FileManager.default.fileExists(atPath: live))
        #expect(FileManager.default.fileExists(atPath: other))
    }

    /// A PID that was in use and is no longer: a child that ran and was reaped.
    private static func exitedProcessID() throws -> pid_t {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        return child.processIdentifier
    }

    /// Hidden partial or incoming files the two operations may create.
    private func leftovers(in directory: TemporaryDirectory) throws -> [String] {
        let folders = [directory.url.path, URL(fileURLWithPath: directory.databasePath).deletingLastPathComponent().path]
        return try folders.flatMap { try FileManager.default.contentsOfDirectory(atPath: $0) }.filter {
            $0.contains(".partial-")
        }
    }
}
