import Foundation
import Logging
import SluiceCore
import SluiceTestSupport
import Synchronization
@testable import SluiceApp

/// The real clock plus an offset the test moves.
final class MovableClock: Sendable {
    let offset = Mutex<TimeInterval>(0)
    func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }
}

/// What the send-engine harnesses share: a store on a fresh SQLite file (or the database `SLUICE_DATABASE_URL`
/// names), a context whose wall clock is `clock` and whose store is `wrap(store)`, and a gate configuration
/// whose background loops run fast (housekeeping every 20 ms, record retries 10–40 ms apart).
struct SendEngineFixture {
    let directory: TestDirectory
    /// The store as opened (under any wrapper): what another instance, or the test, would use.
    let store: any AppStore
    let context: AppContext
    let logs: CapturingLogHandler.Lines
    let gate: SendGateConfiguration

    init(
        prefix: String, environment: [String: String], clock: MovableClock, wrap: (any AppStore) -> any AppStore = { $0 }
    ) throws {
        directory = try TestDirectory(prefix: prefix)
        let configuration = try ConfigurationLoader().load(fileText: nil, environment: [
            "SLUICE_DATABASE_PATH": directory.path + "/sluice.sqlite", "SLUICE_SES_MAX_SEND_RATE": "100",
        ].merging(environment) { $1 })
        let (logger, logs) = CapturingLogHandler.logger(label: "sluice.send.tests", level: .info)
        self.logs = logs
        store = try Application.openStore(configuration: configuration, logger: logger)
        context = AppContext(configuration: configuration, logger: logger, store: wrap(store), metrics: AppMetrics(), state: ServiceState()) {
            clock.now()
        }
        var gate = SendGateConfiguration(configuration: configuration)
        gate.housekeepingInterval = .milliseconds(20)
        gate.recordPause = .milliseconds(10)
        gate.maxRecordPause = .milliseconds(40)
        self.gate = gate
    }
}
