import ArgumentParser

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the service until SIGTERM/SIGINT.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await exiting {
            _ = try global.loadConfiguration()
            throw ExitFailure.failure("not wired yet")
        }
    }
}
