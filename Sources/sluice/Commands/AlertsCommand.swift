import ArgumentParser
import Foundation
import SluiceApp
import SluiceCore

struct Alerts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show open alerts and the most recent alert notifications.",
        discussion: "Reads the state the running monitor saved in the database."
    )
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print the same JSON as GET /v1/alerts.") var json = false

    func run() async throws {
        try await exiting {
            let (service, store) = try openMonitoring(global)
            defer { store.close() }
            let view = try await service.alerts()
            if json {
                print(try MonitoringOutput.json(view))
            } else {
                print(MonitoringOutput.text(view), terminator: "")
            }
        }
    }
}
