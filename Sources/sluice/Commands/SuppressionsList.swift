import ArgumentParser
import Foundation
import SluiceApp
import SluiceCore

/// `sluice suppressions list`: active suppressions, filtered, as a table or JSON.
struct SuppressionsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List active suppressions in address order.",
        discussion: "Prints at most --limit rows; the last line names the --cursor for the next page when more follow."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this reason.") var reason: String?
    @Option(help: "Only addresses at this domain.") var domain: String?
    @Option(help: "Only suppressions last seen at or after this RFC 3339 time.") var since: String?
    @Option(help: "Rows to print (1-1000).") var limit = 100
    @Option(help: "Continue after a previous page.") var cursor: String?
    @Flag(help: "Print JSON like GET /v1/suppressions.") var json = false

    func run() async throws {
        try await exiting {
            try await SuppressionsSupport.withService(global) { service in
                let page = try await service.list(reason: reason, domain: domain, since: since, limit: String(limit), cursor: cursor)
                if json {
                    print(try SuppressionsSupport.json(SuppressionPageWire(page)))
                    return
                }
                print(SuppressionsSupport.table(SuppressionsSupport.suppressionHeader, page.items.map(SuppressionsSupport.cells)))
                if let next = page.nextCursor { print("more: --cursor \(next.token)") }
            }
        }
    }
}
