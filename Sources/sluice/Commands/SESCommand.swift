import ArgumentParser
import Foundation
import SluiceApp
import SluiceCore

/// `sluice ses sync`: two-way sync with the SES account-level suppression list, on demand.
struct SESCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ses",
        abstract: "SES account-level suppression list.",
        subcommands: [Sync.self]
    )

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push local hard bounces and complaints to SES and import SES's list (reason ses_account).",
            discussion: """
                Without flags: push when ses.suppression_push is true, pull when ses.suppression_pull is true.
                Both are incremental (cursors kept in the database). Exit 1 when SES cannot be reached, refuses
                the account (e.g. 403 AccessDenied; the push cursor stays where it was) or a call still fails after
                retries; 78 when ses.transport is outbox or no AWS credentials are configured.
                """
        )
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Push even when ses.suppression_push is false.") var push = false
        @Flag(help: "Only pull (no push).") var pullOnly = false
        @Flag(help: "Print the report as JSON.") var json = false

        func run() async throws {
            try await exiting {
                let configuration = try global.loadConfiguration()
                var logger = makeLogger(configuration)
                if logger.logLevel < .warning { logger.logLevel = .warning }
                let store = try openStore(configuration, logger: logger)
                defer { store.close() }
                try await checkAddressKeyMode(configuration, store: store)
                let service = SESSyncService(configuration: configuration, store: store, logger: logger, environment: ProcessInfo.processInfo.environment)
                let report: SESSyncService.Report
                do {
                    report = try await service.sync(push: pullOnly ? false : (push ? true : nil), pull: pullOnly ? true : nil)
                } catch let error as SESSyncService.Unavailable {
                    throw ExitFailure.configuration(error.description)
                } catch {
                    throw ExitFailure.failure("ses sync failed: \(error)")
                }
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    print(String(decoding: try encoder.encode(report), as: UTF8.self))
                } else {
                    print("pushed: \(report.pushed.map(String.init) ?? "-") (rejected: \(report.pushRejected.map(String.init) ?? "-"))")
                    print("pulled: \(report.pulledListed.map(String.init) ?? "-") listed, \(report.pulledImported.map(String.init) ?? "-") imported")
                }
            }
        }
    }
}
