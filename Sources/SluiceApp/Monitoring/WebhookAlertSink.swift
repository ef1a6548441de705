import Foundation
import Logging
import SluiceCore
import SluiceHTTP

/// POSTs each notification as JSON to `monitoring.webhook_url` from its own task: a bounded in-memory queue
/// (overall alerts ahead of identity ones, identity ones dropped first when full),
/// bounded attempts with exponential backoff and jitter; what cannot be delivered is dropped, counted and logged.
/// The URL is treated as a secret (Slack puts its token in it) and never logged.
public struct WebhookAlertSink: AlertSink {
    /// Delivery limits.
    public typealias Settings = AlertDeliverySettings

    private let sink: QueuedAlertSink

    public init(url: String, settings: Settings = Settings(), metrics: AppMetrics, logger: Logger) {
        let client: HTTPClient?
        do {
            client = try HTTPClient(configuration: HTTPClientConfiguration(
                readTimeout: settings.timeout, totalTimeout: settings.timeout, maxResponseBytes: 64 * 1024,
                maxIdleConnectionsPerHost: 1, userAgent: "sluice-alerts/1.0"
            ))
        } catch {
            client = nil
            logger.error("alert webhook disabled: cannot build the HTTP client", metadata: ["error": "\(error.code)"])
        }
        sink = QueuedAlertSink(labels: Self.labels, settings: settings, metrics: metrics, logger: logger) { n, attempt in
            await Self.deliver(n, attempt: attempt, url: url, client: client, logger: logger)
        }
    }

    static let labels = QueuedAlertSink.Labels(
        metricPrefix: "sluice_alert_webhook", destination: "alert webhook",
        depthHelp: "Alert notifications waiting for the webhook.",
        droppedHelp: "Alert notifications the webhook never received, by reason.",
        deliveredHelp: "Alert notifications the webhook accepted (2xx).")

    public func submit(_ notifications: [AlertNotification]) async {
        await sink.submit(notifications)
    }

    /// Stops accepting, lets the queue drain for up to `shutdownGrace`, then cancels delivery (dropping the rest).
    public func shutdown() async {
        await sink.shutdown()
    }

    /// Notifications waiting (tests and diagnostics).
    public var pending: Int {
        get async { await sink.pending }
    }

    /// One POST: 2xx delivers; 408, 429 and 5xx are worth another try; any other status refuses this body.
    private static func deliver(
        _ n: AlertNotification, attempt: Int, url: String, client: HTTPClient?, logger: Logger
    ) async -> QueuedAlertSink.Outcome {
        guard let client else { return .retryable("no HTTP client") }
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/json")
        let problem: String
        do {
            let request = HTTPClientRequest(method: "POST", url: url, headers: headers, body: WebhookPayload(n).json())
            let response = try await client.execute(request)
            switch response.status {
            case 200..<300:
                return .delivered
            case 408, 429, 500...:
                problem = "HTTP \(response.status)"
            default:
                logger.warning("alert webhook rejected a notification; not retrying", metadata: [
                    "alert.id": "\(n.id)", "http.status": "\(response.status)",
                ])
                return .rejected
            }
        } catch let error as HTTPClientError {
            // The code only: messages may carry the host and path of the secret URL.
            problem = "\(error.code)"
        } catch {
            problem = "request failed"
        }
        logger.debug("alert webhook attempt failed", metadata: ["alert.id": "\(n.id)", "attempt": "\(attempt)", "error": "\(problem)"])
        return .retryable(problem)
    }
}
