import Foundation
import Logging
import SluiceCore
import SluiceStore

/// The dependencies every route group and worker shares; built once by `Application.build`.
public struct AppContext: Sendable {
    public let configuration: SluiceConfiguration
    public let logger: Logger
    public let store: SQLiteStore
    public let metrics: AppMetrics
    public let state: ServiceState
    /// The wall clock; tests inject a fixed or moving one.
    public let now: @Sendable () -> Date

    public init(configuration: SluiceConfiguration, logger: Logger, store: SQLiteStore, metrics: AppMetrics, state: ServiceState, now: @escaping @Sendable () -> Date) {
        self.configuration = configuration
        self.logger = logger
        self.store = store
        self.metrics = metrics
        self.state = state
        self.now = now
    }
}
