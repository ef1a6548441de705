import Foundation
import Logging
import SluiceCore
import SluiceStore

/// The dependencies every route group and worker shares; built once by `Application.build`.
public struct AppContext: Sendable {
    public let configuration: SluiceConfiguration
    public let logger: Logger
    public let store: any AppStore
    public let metrics: AppMetrics
    public let state: ServiceState
    /// The wall clock; tests inject a fixed or moving one.
    public let now: @Sendable () -> Date
    /// Address matching rules (`policy.case_sensitive_local_part`).
    public let normalizer: AddressNormalizer
    /// What SES events do to suppressions (`policy.*`).
    public let policy: SuppressionPolicy
    /// Paused/running state of the send gate.
    public let sending: SendingControl

    public init(configuration: SluiceConfiguration, logger: Logger, store: any AppStore, metrics: AppMetrics, state: ServiceState, now: @escaping @Sendable () -> Date) {
        self.configuration = configuration
        self.logger = logger
        self.store = store
        self.metrics = metrics
        self.state = state
        self.now = now
        self.normalizer = AddressNormalizer(configuration: AddressKeyMode.normalizerConfiguration(configuration))
        var policy = SuppressionPolicyConfiguration()
        policy.softBounceLimit = configuration.int("policy.soft_bounce_limit")
        policy.softBounceWindow = TimeInterval(configuration.int("policy.soft_bounce_window_days")) * 86_400
        policy.softBounceSuppressionDuration = TimeInterval(configuration.int("policy.soft_bounce_expiry_days")) * 86_400
        self.policy = SuppressionPolicy(configuration: policy)
        self.sending = SendingControl(store: store)
    }
}
