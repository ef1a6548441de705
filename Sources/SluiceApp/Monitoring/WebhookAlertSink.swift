import Foundation
import Logging
import SluiceCore
import SluiceHTTP

/// POSTs each notification as JSON to `monitoring.webhook_url` from its own task: a bounded in-memory queue,
/// bounded attempts with exponential backoff and jitter; what cannot be delivered is dropped, counted and logged.
/// The URL is treated as a secret (Slack puts its token in it) and never logged.
public actor WebhookAlertSink: AlertSink {
    /// Delivery limits.
    public struct Settings: Sendable {
        /// Notifications waiting beyond this drop the oldest.
        public var maxQueue: Int
        /// Attempts per notification (first try included).
        public var maxAttempts: Int
        /// Delay before retry n: jittered within [ceiling/2, ceiling], ceiling = min(cap, base * 2^n).
        public var backoff: Backoff
        /// Deadline of one POST.
        public var timeout: Duration
        /// On shutdown, how long pending notifications may still go out before the rest is dropped.
        public var shutdownGrace: Duration

        public init(
            maxQueue: Int = 100, maxAttempts: Int = 5, backoff: Backoff = Backoff(base: 2, cap: 60), timeout: Duration = .seconds(10),
            shutdownGrace: Duration = .seconds(3)
        ) {
            self.maxQueue = max(1, maxQueue)
            self.maxAttempts = max(1, maxAttempts)
            self.backoff = backoff
            self.timeout = timeout
            self.shutdownGrace = shutdownGrace
        }
    }

    enum Outcome: Equatable {
        case delivered
        /// The receiver refused this body (4xx other than 408/429): retrying would not help.
        case rejected(Int)
        case retryable(String)
    }

    private let url: String
    private let settings: Settings
    private let client: HTTPClient?
    private let metrics: AppMetrics
    private let logger: Logger
    private var queue: [AlertNotification] = []
    private var drainTask: Task<Void, Never>?
    private var stopped = false

    public init(url: String, settings: Settings = Settings(), metrics: AppMetrics, logger: Logger) {
        self.url = url
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        do {
            client = try HTTPClient(configuration: HTTPClientConfiguration(
                readTimeout: settings.timeout, totalTimeout: settings.timeout, maxResponseBytes: 64 * 1024,
                maxIdleConnectionsPerHost: 1, userAgent: "sluice-alerts/1.0"
            ))
        } catch {
            client = nil
            logger.error("alert webhook disabled: cannot build the HTTP client", metadata: ["error": "\(error.code)"])
        }
        metrics.set(Self.depthGauge, help: "Alert notifications waiting for the webhook.", 0)
        for reason in ["queue_full", "attempts_exhausted", "rejected", "shutdown"] {
            metrics.count(Self.droppedCounter, help: Self.droppedHelp, labels: ["reason": reason], by: 0)
        }
        metrics.count(Self.deliveredCounter, help: Self.deliveredHelp, by: 0)
    }

    static let depthGauge = "sluice_alert_webhook_queue_depth"
    static let droppedCounter = "sluice_alert_webhook_dropped_total"
    static let droppedHelp = "Alert notifications the webhook never received, by reason."
    static let deliveredCounter = "sluice_alert_webhook_delivered_total"
    static let deliveredHelp = "Alert notifications the webhook accepted (2xx)."

    public func submit(_ notifications: [AlertNotification]) {
        guard !stopped, !notifications.isEmpty else { return }
        for n in notifications {
            if queue.count >= settings.maxQueue {
                let dropped = queue.removeFirst()
                drop(dropped, reason: "queue_full")
            }
            queue.append(n)
        }
        metrics.set(Self.depthGauge, help: "Alert notifications waiting for the webhook.", Double(queue.count))
        if drainTask == nil {
            drainTask = Task { await self.drain() }
        }
    }

    /// Stops accepting, lets the queue drain for up to `shutdownGrace`, then cancels delivery (dropping the rest).
    public func shutdown() async {
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
            logger.warning("alert webhook stopped with undelivered notifications", metadata: ["alert.pending": "\(queue.count)"])
            for n in queue { drop(n, reason: "shutdown", log: false) }
            queue.removeAll()
        }
    }

    /// Notifications waiting (tests and diagnostics).
    public var pending: Int { queue.count }

    private func drain() async {
        while !Task.isCancelled, !queue.isEmpty {
            let next = queue.removeFirst()
            metrics.set(Self.depthGauge, help: "Alert notifications waiting for the webhook.", Double(queue.count))
            await deliver(next)
        }
        // No suspension between the empty check and this reset, so `submit` never sees a finished task as running.
        if !stopped { drainTask = nil }
    }

    private func deliver(_ n: AlertNotification) async {
        let body = WebhookPayload(n).json()
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
            switch await post(body) {
            case .delivered:
                metrics.count(Self.deliveredCounter, help: Self.deliveredHelp)
                return
            case .rejected(let status):
                logger.warning("alert webhook rejected a notification; not retrying", metadata: [
                    "alert.id": "\(n.id)", "http.status": "\(status)",
                ])
                drop(n, reason: "rejected", log: false)
                return
            case .retryable(let problem):
                lastProblem = problem
                logger.debug("alert webhook attempt failed", metadata: ["alert.id": "\(n.id)", "attempt": "\(attempt + 1)", "error": "\(problem)"])
            }
        }
        logger.warning("alert webhook gave up on a notification", metadata: [
            "alert.id": "\(n.id)", "attempts": "\(settings.maxAttempts)", "error": "\(lastProblem)",
        ])
        drop(n, reason: "attempts_exhausted", log: false)
    }

    private func post(_ body: [UInt8]) async -> Outcome {
        guard let client else { return .retryable("no HTTP client") }
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/json")
        do {
            let response = try await client.execute(HTTPClientRequest(method: "POST", url: url, headers: headers, body: body))
            switch response.status {
            case 200..<300: return .delivered
            case 408, 429, 500...: return .retryable("HTTP \(response.status)")
            default: return .rejected(response.status)
            }
        } catch let error as HTTPClientError {
            // The code only: messages may carry the host and path of the secret URL.
            return .retryable("\(error.code)")
        } catch {
            return .retryable("request failed")
        }
    }

    private func drop(_ n: AlertNotification, reason: String, log: Bool = true) {
        metrics.count(Self.droppedCounter, help: Self.droppedHelp, labels: ["reason": reason])
        if log {
            logger.warning("alert webhook dropped a notification", metadata: ["alert.id": "\(n.id)", "reason": "\(reason)"])
        }
    }
}
