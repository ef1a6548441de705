import ArgumentParser
import Foundation
import Logging
import SluiceApp

/// Options every subcommand that reads configuration takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file (TOML). Default: $SLUICE_CONFIG, else none.", valueName: "file"))
    var config: String?

    /// Loads the effective configuration or exits 78 with a clear message.
    func loadConfiguration() throws -> SluiceConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let path = config ?? environment["SLUICE_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        var text: String?
        if let path {
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw ExitFailure.configuration("cannot read configuration file '\(path)': \(error.localizedDescription)")
            }
        }
        do {
            return try ConfigurationLoader().load(fileText: text, fileName: path ?? "configuration file", environment: environment)
        } catch {
            throw ExitFailure.configuration(error.message)
        }
    }
}

/// An error that ends the process with a documented exit code after printing its message.
struct ExitFailure: Error, CustomStringConvertible {
    var code: Int32
    var message: String

    static func configuration(_ message: String) -> ExitFailure { ExitFailure(code: 78, message: "configuration error: \(message)") }
    static func failure(_ message: String) -> ExitFailure { ExitFailure(code: 1, message: "error: \(message)") }

    var description: String { message }
}

extension ParsableCommand {
    /// Runs `body`, turning `ExitFailure` and other errors into their exit codes (0/1/78).
    func exiting(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as ExitFailure {
            FileHandle.standardError.write(Data((failure.message + "\n").utf8))
            throw ExitCode(failure.code)
        } catch let exit as ExitCode {
            throw exit
        } catch let error as CleanExit {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Builds the process logger from the configuration.
func makeLogger(_ configuration: SluiceConfiguration, label: String = "sluice") -> Logger {
    let level = Logger.Level(rawValue: configuration.string("log.level")) ?? .info
    let format = LineLogHandler.Format(rawValue: configuration.string("log.format")) ?? .json
    return Logger(label: label) { label in LineLogHandler(label: label, level: level, format: format) }
}
