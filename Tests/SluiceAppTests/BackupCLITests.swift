import Foundation
import SluiceCore
import SluiceStore
import SluiceTestSupport
import Testing

/// `sluice backup` and `sluice restore`, run as the built binary against a database this test process holds
/// open, as a running service would: exit codes, messages, and the files left afterwards.
@Suite(.serialized)
struct BackupCLITests {
    private let temporary: TestDirectory
    private var directory: URL { temporary.url }
    private var database: String { directory.appendingPathComponent("data/sluice.sqlite").path }

    init() throws {
        temporary = try TestDirectory(prefix: "sluice-backup-cli")
    }

    private func sluice(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> ChildProcessResult {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLUICE_") }
        environment["SLUICE_DATABASE_PATH"] = database
        environment["SLUICE_LOG_LEVEL"] = "error"
        environment.merge(extra) { _, new in new }
        return try await runChildProcess(sluiceExecutable, arguments, environment: environment)
    }

    private func suppress(_ store: SQLiteStore, _ address: String) async throws {
        try await store.putManual(Suppression(
            address: address, scope: "", reason: .manual, detail: nil, firstSeen: Date(), lastSeen: nil, count: 1,
            source: "operator:test", expiresAt: nil))
    }

    @Test func backupWhileOpenThenRestoreOnlyOnceClosed() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: sluiceExecutable.path), "build the sluice product first")
        let store = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: database))
        try await suppress(store, "kept@example.com")

        let backupPath = directory.appendingPathComponent("nightly.sqlite").path
        let backup = try await sluice(["backup", backupPath])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.hasPrefix("backup \(backupPath): "))
        #expect(backup.stdout.contains("integrity_check ok"))

        let again = try await sluice(["backup", backupPath])
        #expect(again.status == 73)
        #expect(again.stderr.contains("never overwrites"))

        // A suppression added after the backup, then a restore attempt while the database is open.
        try await suppress(store, "later@example.com")
        let refused = try await sluice(["restore", backupPath])
        #expect(refused.status == 75)
        #expect(refused.stderr.contains("is open in process \(getpid()): stop the service first"), "\(refused.stderr)")
        #expect(try await store.suppression(for: "later@example.com", scope: nil, at: Date()) != nil, "nothing changed")
        store.close()

        let restored = try await sluice(["restore", backupPath])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("kept the replaced database as \(database).replaced-"))
        let show = try await sluice(["suppressions", "show", "kept@example.com"])
        #expect(show.status == 0)
        let gone = try await sluice(["suppressions", "show", "later@example.com"])
        #expect(gone.status == 1, "the restored database is the backup's")
    }

    @Test func postgresAndBadInputsAreRefusedWithTheirExitCodes() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: sluiceExecutable.path), "build the sluice product first")
        let postgres = ["SLUICE_DATABASE_URL": "postgres://sluice@127.0.0.1:1/sluice"]
        let backupOnPostgres = try await sluice(["backup", directory.appendingPathComponent("b.sqlite").path], environment: postgres)
        #expect(backupOnPostgres.status == 1)
        #expect(backupOnPostgres.stderr.contains("use pg_dump"))
        let restoreOnPostgres = try await sluice(["restore", "b.sqlite"], environment: postgres)
        #expect(restoreOnPostgres.status == 1)
        #expect(restoreOnPostgres.stderr.contains("use pg_restore"))

        let noDatabase = try await sluice(["backup", directory.appendingPathComponent("b.sqlite").path])
        #expect(noDatabase.status == 1)
        #expect(noDatabase.stderr.contains("no database at"))
        #expect(try await sluice(["migrate"]).status == 0)
        let noFolder = try await sluice(["backup", directory.appendingPathComponent("missing/b.sqlite").path])
        #expect(noFolder.status == 73)
        #expect(noFolder.stderr.contains("does not exist"))
        let before = try Data(contentsOf: URL(fileURLWithPath: database))
        let junk = directory.appendingPathComponent("junk.sqlite")
        try Data("not a database".utf8).write(to: junk)
        let badBackup = try await sluice(["restore", junk.path])
        #expect(badBackup.status == 1)
        #expect(badBackup.stderr.contains("not a readable Sluice database"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before, "nothing was put in place")
    }
}
