import Foundation
import SluiceCore
import SluiceStore

/// Reads what monitoring shows and judges from the store: counters, pause state, signals, alert memory.
/// The monitor worker, the routes and the CLI all go through it, so they agree on every number.
public struct MonitoringService: Sendable {
    public let configuration: MonitoringConfiguration
    public let store: any AppStore
    public let sending: SendingControl
    public let state: MonitorStateStore
    private let quotaProvider: any SendQuotaProvider

    /// - Parameter quotaProvider: nil for the quota the send gate last read from SES (`StoredSendQuota`).
    public init(store: any AppStore, configuration: MonitoringConfiguration, quotaProvider: (any SendQuotaProvider)? = nil) {
        self.store = store
        self.configuration = configuration
        self.sending = SendingControl(store: store)
        self.state = MonitorStateStore(store: store)
        self.quotaProvider = quotaProvider ?? StoredSendQuota(store: store)
    }

    /// Everything one evaluation or one page view needs, read at `now`.
    public struct Reading: Sendable {
        public var samples: [CounterSample]
        public var report: StatsReport
        public var sending: SendingControl.State
        public var quota: SendQuota?
        /// Whether SES Delivery or Send events appear in the counters read (arms the feedback-silence rule).
        public var deliveryOrSendEventsSeen: Bool
    }

    /// Counters of the configured history before `now`, the report over them, and the gate state.
    public func read(now: Date) async throws(StoreError) -> Reading {
        let from = HourMath.floor(now.addingTimeInterval(-configuration.history))
        let counters = try await store.hourlyCounters(from: from, to: now.addingTimeInterval(HourMath.hour))
        // Looked at before reconciling, which folds SES Send events into the gate's sends.
        let seen = counters.contains { ($0.kind == .delivery || $0.kind == .sesSend) && $0.count > 0 && $0.hourStart < now }
        let samples = CounterSample.reconcilingSends(counters)
        let sendingState = try await sending.state()
        let quota = await quota(at: now)
        let report = DeliverabilityStats(configuration: configuration.alerts.stats)
            .report(samples: samples, now: now, quota: quota, paused: Self.pauseStatus(sendingState))
        return Reading(samples: samples, report: report, sending: sendingState, quota: quota, deliveryOrSendEventsSeen: seen)
    }

    /// The stats report at `now` (`GET /v1/stats`, `sluice stats`).
    public func report(now: Date) async throws(StoreError) -> StatsReport {
        try await read(now: now).report
    }

    /// The configured quota, else the one SES reported; nil when unknown.
    public func quota(at now: Date) async -> SendQuota? {
        if let max = configuration.configuredMax24HourSend { return SendQuota(max24HourSend: max) }
        return await quotaProvider.currentQuota(at: now)
    }

    /// Signals in effect: topics whose SNS subscription ended with none of their endpoints still confirmed
    /// (a move from one endpoint to another is not a cut), and a pause SES imposed. A topic `sns.topic_arns` no
    /// longer allows is left out: its feedback would be refused anyway, so its end is no cut.
    public func signals(sending: SendingControl.State, now: Date) async throws(StoreError) -> [ExternalSignal] {
        let records = try await store.subscriptions()
        let fed = Set(records.filter { $0.state == .confirmed }.map(\.topicArn))
        let allowed = configuration.snsTopicPatterns.map { SNSSecurityPolicy(allowedTopicPatterns: $0) }
        var signals = records.filter {
            $0.state == .unsubscribed && !fed.contains($0.topicArn) && allowed?.isTopicAllowed($0.topicArn) != false
        }.map {
            ExternalSignal(kind: .snsUnsubscribeConfirmation, detail: $0.topicArn, at: $0.updatedAt)
        }
        if sending.paused, sending.source == .ses {
            signals.append(ExternalSignal(kind: .sesSendingPaused, detail: sending.reason ?? "sending paused by SES", at: sending.since ?? now))
        }
        return signals
    }

    /// Open alerts and recent notifications (`GET /v1/alerts`, `sluice alerts`).
    public func alerts() async throws(StoreError) -> AlertsView {
        AlertsView(open: try await state.alertState().openAlerts, recent: try await state.recentNotifications())
    }

    /// The status page content at `now`.
    public func statusSnapshot(now: Date) async throws(StoreError) -> StatusSnapshot {
        let queueCounts = try await store.queueCountsByStateName()
        let reading = try await read(now: now)
        return StatusSnapshot(
            generatedAt: now, report: reading.report, thresholds: configuration.alerts,
            chart: ChartBucket.series(samples: reading.samples, now: now), openAlerts: try await state.alertState().openAlerts,
            suppressionCounts: try await store.counts(byReason: now), queueCounts: queueCounts
        )
    }

    /// The report's view of the gate state.
    static func pauseStatus(_ s: SendingControl.State) -> PauseStatus {
        PauseStatus(paused: s.paused, reason: s.reason, since: s.since, identities: s.pausedIdentities.keys.sorted())
    }
}
