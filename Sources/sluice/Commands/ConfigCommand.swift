import ArgumentParser
import SluiceApp

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Inspect configuration.",
        subcommands: [Check.self, Example.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the effective configuration (secrets redacted); exit 78 if it is invalid."
        )
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await exiting {
                let configuration = try global.loadConfiguration()
                print(configuration.renderEffective(), terminator: "")
                for warning in configuration.warnings { print("# warning: \(warning)") }
                // Readable files are not enough: the pair must parse and belong together, as `serve` needs.
                do { _ = try Application.loadTLSIdentity(configuration: configuration) } catch {
                    throw ExitFailure.configuration("invalid value for 'http.tls_cert_file' / 'http.tls_key_file': \(error)")
                }
            }
        }
    }

    struct Example: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a documented configuration file with every default.")
        func run() { print(SluiceConfiguration.renderExample(), terminator: "") }
    }
}
