import ArgumentParser
import Foundation
import SluiceApp

struct Sending: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pause, resume or show the send gate (stored in the database, so it works while the service runs).",
        subcommands: [Pause.self, Resume.self, Status.self]
    )

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause all sending; messages are still accepted and queued.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Why (shown on the status page and in /v1/sending).") var reason: String = "paused by operator (CLI)"
        @Flag(help: "Print the state as JSON (as the /v1/sending routes answer).") var json = false

        func run() async throws {
            try await exiting {
                let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !trimmed.isEmpty, trimmed.count <= 500 else { throw ExitFailure(code: 64, message: "error: --reason must be 1-500 characters") }
                let (service, store) = try openMonitoring(global)
                defer { store.close() }
                let state = try await service.sending.pause(reason: trimmed, source: .operator, at: Date())
                print(try MonitoringOutput.sending(state, queue: json ? try await store.queueCounts() : [:], json: json), terminator: "")
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume sending: clears the global pause and every identity pause.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print the state as JSON (as the /v1/sending routes answer).") var json = false

        func run() async throws {
            try await exiting {
                let (service, store) = try openMonitoring(global)
                defer { store.close() }
                let state = try await service.sending.resume()
                print(try MonitoringOutput.sending(state, queue: json ? try await store.queueCounts() : [:], json: json), terminator: "")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show whether sending is paused, by whom and why.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print the same JSON as GET /v1/sending.") var json = false

        func run() async throws {
            try await exiting {
                let (service, store) = try openMonitoring(global)
                defer { store.close() }
                let state = try await service.sending.state()
                print(try MonitoringOutput.sending(state, queue: json ? try await store.queueCounts() : [:], json: json), terminator: "")
            }
        }
    }
}
