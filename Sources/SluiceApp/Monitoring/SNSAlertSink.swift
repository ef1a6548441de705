import Foundation
import Logging
import SluiceAWS
import SluiceCore
import SluiceCrypto
import SluiceHTTP

/// Publishes each notification to the SNS topic `monitoring.alert_sns_topic_arn` from its own task: the
/// webhook's JSON (`WebhookPayload`) as `Message`, `[Sluice] <severity> <rule> <status>` as `Subject`.
/// A bounded in-memory queue (`AlertQueue`, as the webhook's: overall alerts first, identity ones dropped
/// first when full), bounded attempts with exponential backoff and jitter for retryable failures
/// (throttling, 5xx, network, credentials); refusals (`AuthorizationError`, `NotFound`…) are not retried.
/// What cannot be delivered is dropped, counted and logged; `submit` never waits for SNS.
public struct SNSAlertSink: AlertSink {
    /// Queue, attempt, backoff and shutdown limits: the webhook's (`timeout` bounds one Publish when
    /// `make` builds the HTTP client).
    public typealias Settings = AlertDeliverySettings

    private let sink: QueuedAlertSink

    public init(topic: SNSTopicARN, publisher: SNSPublisher, settings: Settings = Settings(), metrics: AppMetrics, logger: Logger) {
        var labels = Self.labels
        labels.giveUpMetadata = ["sns.topic_arn": "\(topic)"]
        sink = QueuedAlertSink(labels: labels, settings: settings, metrics: metrics, logger: logger) { n, attempt in
            await Self.deliver(n, attempt: attempt, topic: topic, publisher: publisher, logger: logger)
        }
    }

    /// The sink for `topicArn` with its own HTTP client (trusting `caFile` beside the system store) and the
    /// default AWS credential chain over `environment`; nil when the HTTP client cannot be built (logged).
    public static func make(
        topic: SNSTopicARN, caFile: String?, environment: [String: String], settings: Settings = Settings(), metrics: AppMetrics,
        logger: Logger
    ) -> SNSAlertSink? {
        let client: HTTPClient
        do {
            client = try HTTPClient(configuration: HTTPClientConfiguration(
                extraCAFile: caFile, connectTimeout: min(.seconds(5), settings.timeout), readTimeout: settings.timeout,
                totalTimeout: settings.timeout, maxResponseBytes: 64 * 1024, maxIdleConnectionsPerHost: 1, userAgent: "sluice-alerts/1.0"))
        } catch {
            logger.error("alert SNS topic disabled: cannot build the HTTP client", metadata: ["error": "\(error.code)"])
            return nil
        }
        let chain = DefaultCredentialChain(environment: environment, httpClient: client, logger: logger)
        let publisher = SNSPublisher(configuration: SNSPublisherConfiguration(credentials: chain, httpClient: client), logger: logger)
        return SNSAlertSink(topic: topic, publisher: publisher, settings: settings, metrics: metrics, logger: logger)
    }

    static let labels = QueuedAlertSink.Labels(
        metricPrefix: "sluice_alert_sns", destination: "alert SNS topic",
        depthHelp: "Alert notifications waiting for the SNS topic.",
        droppedHelp: "Alert notifications the SNS topic never received, by reason.",
        deliveredHelp: "Alert notifications SNS accepted (Publish returned a MessageId).")

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

    /// One Publish: refusals (`AuthorizationError`, `NotFound`…) are not retried; throttling, 5xx, network and
    /// credential trouble are.
    private static func deliver(
        _ n: AlertNotification, attempt: Int, topic: SNSTopicARN, publisher: SNSPublisher, logger: Logger
    ) async -> QueuedAlertSink.Outcome {
        do {
            let id = try await publisher.publish(request(for: n, topic: topic))
            logger.debug("alert published to SNS", metadata: ["alert.id": "\(n.id)", "sns.message_id": "\(id)"])
            return .delivered
        } catch {
            if error.code == .cancelled || Task.isCancelled { return .cancelled }
            guard error.isRetryable else {
                logger.warning("SNS refused an alert notification; not retrying", metadata: metadata(n, error))
                return .rejected
            }
            logger.debug("alert SNS attempt failed", metadata: metadata(n, error).merging(["attempt": "\(attempt)"]) { $1 })
            return .retryable("\(error.code) \(error.awsErrorType ?? error.httpStatus.map { "HTTP \($0)" } ?? "")")
        }
    }

    /// The Publish for `n`: webhook JSON as the message; on FIFO topics one message group and the body's
    /// SHA-256 as the de-duplication id (stable across retries).
    static func request(for n: AlertNotification, topic: SNSTopicARN) -> SNSPublishRequest {
        let body = WebhookPayload(n).json()
        let fifo = topic.name.hasSuffix(".fifo")
        return SNSPublishRequest(
            topic: topic, message: String(decoding: body, as: UTF8.self), subject: subject(for: n),
            messageGroupId: fifo ? "sluice-alerts" : nil, messageDeduplicationId: fifo ? Digest.sha256Hex(body) : nil)
    }

    /// `[Sluice] critical bounce_rate firing` (sanitised again by the request).
    static func subject(for n: AlertNotification) -> String {
        "[Sluice] \(n.severity.rawValue) \(n.rule.rawValue) \(n.status.rawValue)"
    }

    private static func metadata(_ n: AlertNotification, _ error: SNSPublishError) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["alert.id": "\(n.id)", "error": "\(error.code)"]
        if let status = error.httpStatus { metadata["http.status"] = "\(status)" }
        if let type = error.awsErrorType { metadata["sns.error_type"] = "\(type)" }
        if error.code == .service { metadata["sns.error_message"] = "\(error.message)" }
        return metadata
    }
}
