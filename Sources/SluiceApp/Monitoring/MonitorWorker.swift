import Foundation
import Logging
import SluiceCore
import SluiceStore

/// Evaluates the alert rules and reputation protection every `interval`.
///
/// Each evaluation reads the counters, judges them against the alert state persisted in settings
/// (`monitoring.alert_state`, so a restart neither repeats nor forgets alerts), saves the new state
/// before handing notifications to the sinks, applies protection pauses that are new in their episode or
/// due again because the breach worsened (see `ProtectionMemory`), and refreshes the gauges. Protection runs
/// even when the alert state cannot be saved, and never resumes sending by itself.
public struct MonitorWorker: BackgroundWorker {
    public let name = "monitor"
    /// The reads it judges (also what the routes show).
    public let service: MonitoringService
    /// Time between evaluations (60 s in the service).
    public let interval: Duration
    private let sinks: [any AlertSink]
    private let gauges: MonitorGauges
    private let logger: Logger
    private let clock: @Sendable () -> Date

    /// - Parameters:
    ///   - sinks: nil for the configured ones: the log, plus the webhook when `monitoring.webhook_url` is set,
    ///     plus the SNS topic when `monitoring.alert_sns_topic_arn` is set.
    ///   - quotaProvider: the SES quota, used when `ses.max_24h_send` is 0; nil for the one the send gate last read.
    ///   - environment: the process environment, for the AWS credentials of the SNS topic.
    public init(
        context: AppContext, interval: Duration = .seconds(60), sinks: [any AlertSink]? = nil,
        quotaProvider: (any SendQuotaProvider)? = nil, environment: [String: String] = [:]
    ) {
        let configuration = MonitoringConfiguration(configuration: context.configuration)
        self.service = MonitoringService(store: context.store, configuration: configuration, quotaProvider: quotaProvider)
        self.interval = interval
        self.logger = context.logger
        self.clock = context.now
        self.gauges = MonitorGauges(metrics: context.metrics)
        if let sinks {
            self.sinks = sinks
        } else {
            var configured: [any AlertSink] = [LogAlertSink(logger: context.logger)]
            if let url = configuration.webhookURL {
                configured.append(WebhookAlertSink(url: url, metrics: context.metrics, logger: context.logger))
            }
            if let topic = configuration.alertSNSTopic {
                let caFile = context.configuration.string("sns.ca_file")
                if let sink = SNSAlertSink.make(
                    topic: topic, caFile: caFile.isEmpty ? nil : caFile, environment: environment, metrics: context.metrics,
                    logger: context.logger)
                {
                    configured.append(sink)
                }
            }
            self.sinks = configured
        }
        gauges.registerAll()
    }

    public func run() async {
        while !Task.isCancelled {
            do {
                // Several instances on one database: only the leader evaluates and alerts, so each alert is
                // sent once and the shared alert state has one writer.
                if let election = service.store as? any LeaderElection, try await !election.holdsLeadership("monitor") {
                    await follow(now: clock())
                    try? await Task.sleep(for: interval)
                    continue
                }
                try await evaluateOnce(now: clock())
            } catch {
                // Transient store trouble: the next tick retries; nothing was notified for this one.
                logger.warning("monitor evaluation failed; will retry", metadata: ["error": "\(error)"])
                gauges.metrics.count("sluice_monitor_evaluations_total", help: Self.evaluationsHelp, labels: ["result": "error"])
                gauges.update(leader: false)
            }
            try? await Task.sleep(for: interval)
        }
        for sink in sinks { await sink.shutdown() }
    }

    /// A tick on an instance that is not the monitor leader: the leader's gauges are not exported here, and the gate
    /// and suppression gauges (shared state every instance reads) are refreshed.
    func follow(now: Date) async {
        gauges.markFollower()
        if let sending = try? await service.sending.state() { gauges.update(sending: sending) }
        if let counts = try? await service.store.counts(byReason: now) { gauges.update(suppressions: counts) }
    }

    /// What one evaluation did.
    public struct Outcome: Sendable {
        /// The report judged, with the pause state after this evaluation.
        public var report: StatsReport
        /// The alert state saved.
        public var state: AlertState
        /// What was handed to the sinks.
        public var notifications: [AlertNotification]
        /// What the protection policy asked for (applied only when new in its episode, or worse than at its last pause).
        public var protection: ProtectionDecision
        /// Whether this evaluation paused the whole gate.
        public var pausedAll: Bool
        /// Identities this evaluation paused.
        public var pausedIdentities: [String]
    }

    /// One evaluation at `now` (the loop's body; tests call it with their own clock).
    @discardableResult
    public func evaluateOnce(now: Date) async throws(StoreError) -> Outcome {
        let service = self.service
        let evaluated = try await EvaluationLock.shared(for: service.store.databaseIdentity).withLock { () async throws(StoreError) -> Evaluated in
            try await evaluateLocked(now: now)
        }
        for sink in sinks { await sink.submit(evaluated.notifications) }
        return try evaluated.rest.get()
    }

    /// Alerts saved as notified, and what came after. The notifications go to the sinks even when a later
    /// step failed: the saved state says they were sent, so the next tick would not send them again.
    private struct Evaluated {
        var notifications: [AlertNotification]
        var rest: Result<Outcome, StoreError>
    }

    private func evaluateLocked(now: Date) async throws(StoreError) -> Evaluated {
        let reading = try await service.read(now: now)
        let inputs = AlertInputs(
            samples: reading.samples, quota: reading.quota, lastFeedbackAt: try await service.store.lastFeedbackReceivedAt(),
            signals: try await service.signals(sending: reading.sending, now: now),
            deliveryOrSendEventsSeen: reading.deliveryOrSendEventsSeen
        )
        let previous = try await service.state.alertState()
        let engine = AlertEngine(configuration: service.configuration.alerts)
        let (state, notifications) = engine.evaluate(inputs: inputs, stats: reading.report, previous: previous, now: now)
        // Saved before dispatch: if the save fails nothing is sent and the next tick produces the same notifications.
        // Protection runs all the same: alert bookkeeping failing must never keep sending from pausing.
        var failure: StoreError?
        var notified = notifications
        if state != previous {
            do {
                try await service.state.saveAlertState(state)
            } catch {
                logger.error("monitor could not save the alert state; notifications held, protection still runs", metadata: [
                    "error": "\(error)", "alert.open": "\(state.active.count)",
                ])
                failure = error
                notified = []
            }
        }
        if !notified.isEmpty {
            do {
                try await service.state.appendNotifications(notified, limit: service.configuration.recentNotificationLimit)
            } catch {
                failure = failure ?? error
            }
        }
        do {
            let outcome = try await protect(reading: reading, alerts: failure == nil ? state : previous, notifications: notified, now: now)
            return Evaluated(notifications: notified, rest: failure.map { .failure($0) } ?? .success(outcome))
        } catch {
            return Evaluated(notifications: notified, rest: .failure(failure ?? error))
        }
    }

    /// Protection, gauges and the outcome, once the alert state is saved.
    private func protect(
        reading: MonitoringService.Reading, alerts state: AlertState, notifications: [AlertNotification], now: Date
    ) async throws(StoreError) -> Outcome {
        let policy = service.configuration.protection
        let assessment = policy.assess(reading.report)
        var memory = try await service.state.protectionMemory()
        let before = memory
        // The memory sees the gate as read: a pause by an operator or SES already stops everything and keeps its
        // reason and source (and is not counted as this episode's, so lifting it does not let a breach send on).
        let action = memory.apply(assessment, policy: policy, gate: reading.sending)
        var sending = reading.sending
        var pausedAll = false
        var pausedIdentities: [String] = []
        switch action {
        case .none:
            break
        case .pauseAll(let reason, let again):
            sending = try await service.sending.pause(reason: "protection: " + reason, source: .protection, at: now)
            pausedAll = true
            if let again {
                logger.critical("sending paused again by reputation protection: the breach worsened since the last pause",
                                metadata: ["protection.reason": "\(reason)", "protection.again": "\(again)"])
            } else {
                logger.critical("sending paused by reputation protection", metadata: ["protection.reason": "\(reason)"])
            }
        case .pauseIdentities(let pauses, let again):
            sending = try await service.sending.pauseIdentities(pauses.mapValues { "protection: " + $0 })
            pausedIdentities = pauses.keys.sorted()
            for (identity, reason) in pauses.sorted(by: { $0.key < $1.key }) {
                let message: Logger.Message = again.contains(identity)
                    ? "identity paused again by reputation protection: the breach worsened since the last pause"
                    : "identity paused by reputation protection"
                logger.critical(message, metadata: ["identity": "\(identity)", "protection.reason": "\(reason)"])
            }
        }
        if memory != before { try await service.state.saveProtectionMemory(memory) }

        gauges.update(leader: true)
        gauges.update(report: reading.report, alerts: state)
        gauges.update(sending: sending)
        gauges.update(suppressions: try await service.store.counts(byReason: now))
        gauges.metrics.count("sluice_monitor_evaluations_total", help: Self.evaluationsHelp, labels: ["result": "ok"])
        gauges.metrics.set("sluice_monitor_last_evaluation_timestamp_seconds", help: "When the monitor last evaluated (Unix time).",
                           now.timeIntervalSince1970)
        var report = reading.report
        report.paused = MonitoringService.pauseStatus(sending)
        return Outcome(report: report, state: state, notifications: notifications, protection: assessment.decision,
                       pausedAll: pausedAll, pausedIdentities: pausedIdentities)
    }

    static let evaluationsHelp = "Monitor evaluations by result."
}
