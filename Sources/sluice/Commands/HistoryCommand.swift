import ArgumentParser
import Foundation
import SluiceApp
import SluiceCore

/// `sluice … history <address>`: an address's suppressions and event history, newest first.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show an address's suppressions and the events and decisions recorded for it."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The address.") var address: String
    @Option(help: "Entries to show (1-1000).") var limit = 100
    @Flag(help: "Print JSON like GET /v1/addresses/{address}/history.") var json = false

    func run() async throws {
        try await exiting {
            try await SuppressionsSupport.withService(global) { service in
                let history = try await service.history(address: address, limit: String(limit))
                if json {
                    print(try SuppressionsSupport.json(AddressHistoryWire(history)))
                    return
                }
                print("address: \(history.address)")
                if history.suppressions.isEmpty {
                    print("suppressions: none")
                } else {
                    print(SuppressionsSupport.table(SuppressionsSupport.suppressionHeader, history.suppressions.map(SuppressionsSupport.cells)))
                }
                print("")
                let rows = history.entries.map { entry in
                    [
                        RFC3339.format(entry.event.timestamp), entry.event.kind.rawValue, entry.outcome,
                        entry.event.subtype ?? "", entry.event.sesMessageId, entry.source,
                    ]
                }
                print(rows.isEmpty ? "history: none" : SuppressionsSupport.table(["TIME", "KIND", "OUTCOME", "SUBTYPE", "SES MESSAGE", "SOURCE"], rows))
            }
        }
    }
}
