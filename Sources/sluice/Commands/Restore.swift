import ArgumentParser
import Foundation
import SluiceStore

/// `sluice restore BACKUP`: puts a `sluice backup` file in place of the stopped service's database.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the SQLite database with a backup made by `sluice backup` (service stopped).",
        discussion: """
        Checks the backup (PRAGMA integrity_check, a Sluice schema no newer than this build), refuses while \
        any process has the database open, keeps the current database and its -wal renamed as a pair \
        (NAME.replaced-STAMP), and moves a synced copy of the backup into place. Start the service afterwards: \
        it applies any newer migrations.

        Exit codes: 0 restored, 1 bad backup or file error (nothing changed), 75 the database is in use, \
        78 configuration error.
        """
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "A file written by `sluice backup`.") var backup: String

    func run() async throws {
        try await exiting {
            let configuration = try global.loadConfiguration()
            guard configuration.string("database.url").isEmpty else {
                throw ExitFailure.failure("sluice restore replaces the SQLite database; with database.url (PostgreSQL) use pg_restore")
            }
            let database = configuration.string("database.path")
            do {
                let summary = try SQLiteRestore.restore(backup: backup, into: database)
                if let replaced = summary.replacedPath { print("kept the replaced database as \(replaced)") }
                print("restored \(database) from \(backup): \(summary.bytes) bytes, schema version \(summary.schemaVersion)")
            } catch let failure as SQLiteRestore.Failure {
                throw ExitFailure(code: failure.kind == .inUse ? 75 : 1, message: "error: \(failure.message)")
            }
        }
    }
}
