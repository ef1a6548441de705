import ArgumentParser

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema, then exit.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await exiting {
            _ = try global.loadConfiguration()
            throw ExitFailure.failure("not wired yet")
        }
    }
}
