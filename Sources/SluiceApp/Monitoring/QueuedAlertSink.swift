import Logging
import SluiceCore

/// The delivery machinery of the webhook and SNS sinks: a bounded in-memory queue (`AlertQueue`: overall
/// alerts first, identity ones dropped first when full) drained by its own task, bounded attempts with
/// exponential backoff and jitter; what cannot be delivered is dropped, counted and logged. `submit` never waits
/// for the destination. The destination is a `deliver` closure making one attempt.
actor QueuedAlertSink: AlertSink {
    /// What one delivery attempt came to.
    enum Outcome: Sendable, Equatable {
        case delivered
        /// The destination refused this notification: retrying would not help. Logged by `deliver`.
        case rejected
        /// This attempt failed and the next may succeed; the text ends up in the give-up log.
        case retryable(String)
        /// The attempt was cancelled (shutdown): dropped as such, without retrying.
        case cancelled
    }

    /// Makes one attempt (`attempt` counts from 1) to deliver a notification.
    typealias Deliver = @Sendable (_ notification: AlertNotification, _ attempt: Int) async -> Outcome

    /// Metric names and log wording of one destination.
    struct Labels: Sendable {
        /// `sluice_alert_webhook`: metrics `<prefix>_queue_depth`, `<prefix>_dropped_total`, `<prefix>_delivered_total`.
        var metricPrefix: String
        /// How logs name the destination: `alert webhook`.
        var destination: String
        var depthHelp: String
        var droppedHelp: String
        var deliveredHelp: String
        /// Added to the give-up warning (e.g. the topic ARN).
        var giveUpMetadata: Logger.Metadata = [:]

        var depthGauge: String { metricPrefix + "_queue_depth" }
        var droppedCounter: String { metricPrefix + "_dropped_total" }
        var deliveredCounter: String { metricPrefix + "_delivered_total" }
    }

    private let labels: Labels
    private let settings: AlertDeliverySettings
    private let deliver: Deliver
    private let metrics: AppMetrics
    private let logger: Logger
    private var queue: AlertQueue
    private var drainTask: Task<Void, Never>?
    private var stopped = false

    init(labels: Labels, settings: AlertDeliverySettings, metrics: AppMetrics, logger: Logger, deliver: @escaping Deliver) {
        self.labels = labels
        self.settings = settings
        self.deliver = deliver
        self.queue = AlertQueue(capacity: settings.maxQueue)
        self.metrics = metrics
        self.logger = logger
        metrics.set(labels.depthGauge, help: labels.depthHelp, 0)
        for reason in ["queue_full", "attempts_exhausted", "rejected", "shutdown"] {
            metrics.count(labels.droppedCounter, help: labels.droppedHelp, labels: ["reason": reason], by: 0)
        }
        metrics.count(labels.deliveredCounter, help: labels.deliveredHelp, by: 0)
    }

    func submit(_ notifications: [AlertNotification]) {
        guard !stopped, !notifications.isEmpty else { return }
        for n in notifications {
            if let dropped = queue.push(n) { drop(dropped, reason: "queue_full") }
        }
        metrics.set(labels.depthGauge, help: labels.depthHelp, Double(queue.count))
        if drainTask == nil {
            drainTask = Task { await self.drain() }
        }
    }

    /// Stops accepting, lets the queue drain for up to `shutdownGrace`, then cancels delivery (dropping the rest).
    func shutdown() async {
        guard !stopped else { return }
        stopped = true
        if let task = drainTask {
            let grace = settings.shutdownGrace
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await task.value }
                group.addTask { try? await Task.sleep(for: grace) }
                await group.next()
                task.cancel()
                group.cancelAll()
            }
        }
        drainTask = nil
        if !queue.isEmpty {
            logger.warning("\(labels.destination) stopped with undelivered notifications", metadata: ["alert.pending": "\(queue.count)"])
            for n in queue.removeAll() { drop(n, reason: "shutdown", log: false) }
        }
    }

    /// Notifications waiting.
    var pending: Int { queue.count }

    private func drain() async {
        while !Task.isCancelled, let next = queue.pop() {
            metrics.set(labels.depthGauge, help: labels.depthHelp, Double(queue.count))
            await attempts(next)
        }
        // No suspension between the empty check and this reset, so `submit` never sees a finished task as running.
        if !stopped { drainTask = nil }
    }

    private func attempts(_ n: AlertNotification) async {
        var lastProblem = ""
        for attempt in 0..<settings.maxAttempts {
            if attempt > 0 {
                let ceiling = settings.backoff.ceiling(attempt: attempt - 1)
                let delay = ceiling / 2 + Double.random(in: 0...1) * ceiling / 2
                do { try await Task.sleep(for: .seconds(delay)) } catch {
                    drop(n, reason: "shutdown", log: false)
                    return
                }
            }
            switch await deliver(n, attempt + 1) {
            case .delivered:
                metrics.count(labels.deliveredCounter, help: labels.deliveredHelp)
                return
            case .rejected:
                drop(n, reason: "rejected", log: false)
                return
            case .cancelled:
                drop(n, reason: "shutdown", log: false)
                return
            case .retryable(let problem):
                lastProblem = problem
            }
        }
        var metadata: Logger.Metadata = ["alert.id": "\(n.id)", "attempts": "\(settings.maxAttempts)", "error": "\(lastProblem)"]
        metadata.merge(labels.giveUpMetadata) { $1 }
        logger.warning("\(labels.destination) gave up on a notification", metadata: metadata)
        drop(n, reason: "attempts_exhausted", log: false)
    }

    private func drop(_ n: AlertNotification, reason: String, log: Bool = true) {
        metrics.count(labels.droppedCounter, help: labels.droppedHelp, labels: ["reason": reason])
        if log {
            logger.warning("\(labels.destination) dropped a notification", metadata: ["alert.id": "\(n.id)", "reason": "\(reason)"])
        }
    }
}
