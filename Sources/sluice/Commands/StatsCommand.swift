import ArgumentParser
import Foundation
import SluiceApp
import SluiceCore
import SluiceStore

/// Opens the configured database for a monitoring command, or exits 1 with the path and the reason.
func openMonitoring(_ global: GlobalOptions) throws -> (MonitoringService, any AppStore) {
    let configuration = try global.loadConfiguration()
    let store = try openStore(configuration, logger: makeLogger(configuration))
    return (MonitoringService(store: store, configuration: MonitoringConfiguration(configuration: configuration)), store)
}

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show bounce, complaint and delivery rates (24 h, 7 d, representative volume), quota use and pause state.",
        discussion: "Reads the database directly; works whether or not the service runs."
    )
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print the same JSON as GET /v1/stats.") var json = false

    func run() async throws {
        try await exiting {
            let (service, store) = try openMonitoring(global)
            defer { store.close() }
            let report = try await service.report(now: Date())
            if json {
                print(try MonitoringOutput.json(report))
            } else {
                print(report.renderText(), terminator: "")
            }
        }
    }
}
