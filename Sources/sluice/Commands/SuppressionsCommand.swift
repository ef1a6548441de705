import ArgumentParser
import Foundation
import SluiceApp
import SluiceCore

/// `sluice suppressions …`: manage the suppression list directly in the database file.
struct SuppressionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suppressions",
        abstract: "Add, remove, show, list, import and export suppressions (works with the service up or down).",
        discussion: """
        Works directly on database.path; the same validation as the /v1/suppressions API.
        Exit codes: 0 ok, 1 not found (remove, show), rejected import rows or a database error, 64 invalid input,
        66 import file unreadable, 73 export file not creatable, 78 configuration error.
        """,
        subcommands: [Add.self, Remove.self, Show.self, SuppressionsList.self, SuppressionsImport.self, SuppressionsExport.self, HistoryCommand.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add or replace a suppression; prints the stored row.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The address (any spelling; it is normalised).") var address: String
        @Option(help: "hard_bounce, soft_bounce_limit, complaint, unsubscribed, manual or ses_account.") var reason = "manual"
        @Option(help: "A note (at most 1000 characters).") var detail: String?
        @Option(help: "RFC 3339 expiry, e.g. 2027-01-01T00:00:00Z (default: never).") var expires: String?
        @Option(help: "Contact list or list/topic (default: all mail).") var scope: String?
        @Option(name: .customLong("operator"), help: "Recorded as the source operator:<name>.") var operatorName = "cli"

        func run() async throws {
            try await exiting {
                try await SuppressionsSupport.withService(global) { service in
                    let stored = try await service.put(address: address, scope: scope, reason: reason, detail: detail, expiresAt: expires, source: operatorName)
                    print(SuppressionsSupport.details(stored))
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a suppression.",
            discussion: "Exit 1 when the address has no suppression in that scope."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The address.") var address: String
        @Option(help: "Contact list or list/topic (default: the global suppression).") var scope: String?
        @Flag(help: "Also delete it from the SES account-level suppression list (DeleteSuppressedDestination); not with --scope.") var ses = false

        func run() async throws {
            try await exiting {
                if ses {
                    try await SuppressionsSESRemove.run(global, address: address, scope: scope)
                    return
                }
                try await SuppressionsSupport.withService(global) { service in
                    try await service.remove(address: address, scope: scope)
                    print("removed")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the active suppression blocking an address.",
            discussion: "Exit 1 when mail to the address is not suppressed."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The address.") var address: String
        @Option(help: "Contact list or list/topic (global suppressions also apply).") var scope: String?
        @Flag(help: "Print JSON like the API.") var json = false

        func run() async throws {
            try await exiting {
                try await SuppressionsSupport.withService(global) { service in
                    let found = try await service.get(address: address, scope: scope)
                    print(json ? try SuppressionsSupport.json(SuppressionWire(found)) : SuppressionsSupport.details(found))
                }
            }
        }
    }
}
