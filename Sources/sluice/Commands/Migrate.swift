import ArgumentParser
import SluiceApp
import SluiceCore
import SluiceStore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or upgrade the database schema, then exit.",
        discussion: "Safe to run repeatedly: applied migrations are skipped."
    )
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Also run PRAGMA integrity_check and exit 1 if it reports problems.") var check = false

    func run() async throws {
        try await exiting {
            let configuration = try global.loadConfiguration()
            let store = try openStore(configuration, logger: makeLogger(configuration), creating: true)
            defer { store.close() }
            let version = try await store.schemaVersion()
            print("database \(store.databaseIdentity) at schema version \(version)")
            if check {
                let problems = try await store.integrityCheck(quick: false)
                if problems.isEmpty || problems == ["ok"] {
                    print("integrity_check: ok")
                } else {
                    problems.prefix(50).forEach { print("integrity_check: \($0)") }
                    throw ExitCode(1)
                }
            }
        }
    }
}
