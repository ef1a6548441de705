import ArgumentParser
import Foundation
import SluiceStore
import Synchronization

/// `sluice backup FILE`: an online, consistent copy of the SQLite database (see `SQLiteBackup`).
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the SQLite database into a new file, consistently, while the service runs.",
        discussion: """
        Reads one snapshot through SQLite (the WAL included) and writes a compact copy; the service goes on \
        writing meanwhile. The copy is synced and checked with PRAGMA integrity_check before it gets its \
        name; an existing FILE is never overwritten. Copying the database file with cp is not a backup: the \
        newest commits may be only in its -wal file. To restore, see README ("Backups"). With \
        SLUICE_DATABASE_URL (PostgreSQL) use pg_dump instead.

        Exit codes: 0 written, 1 copy or check failed (nothing written), 73 FILE exists or cannot be created, \
        78 configuration error, 130/143 interrupted by SIGINT/SIGTERM (nothing written).
        """
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The new backup file (must not exist).") var file: String
    @Flag(help: "Skip PRAGMA integrity_check on the copy (faster for very large databases).") var noVerify = false

    func run() async throws {
        try await exiting {
            let configuration = try global.loadConfiguration()
            guard configuration.string("database.url").isEmpty else {
                throw ExitFailure.failure("sluice backup copies the SQLite database; with database.url (PostgreSQL) use pg_dump")
            }
            let source = configuration.string("database.path")
            // SIGINT/SIGTERM stop the copy, which removes its unfinished files itself once SQLite let go of
            // them (removing them from here would race the copy); past the link it is whole and finishes.
            let interruption = BackupInterruption()
            let received = Atomic<Int32>(0)
            let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { signal in
                received.store(signal, ordering: .relaxed)
                interruption.interrupt()
            }
            defer { signals.stop() }
            do {
                let summary = try SQLiteBackup.copy(
                    database: source, to: file, verify: !noVerify,
                    busyTimeoutMilliseconds: configuration.int("database.busy_timeout_ms"), interruption: interruption)
                let check = summary.verified ? "integrity_check ok" : "not checked"
                print("backup \(summary.path): \(summary.bytes) bytes, schema version \(summary.schemaVersion), \(check)")
            } catch let failure as SQLiteBackup.Failure where failure.kind == .interrupted {
                throw ExitFailure(code: 128 + received.load(ordering: .relaxed), message: "error: \(failure.message)")
            } catch let failure as SQLiteBackup.Failure {
                throw ExitFailure(code: failure.kind == .targetNotCreatable ? 73 : 1, message: "error: \(failure.message)")
            }
        }
    }
}
