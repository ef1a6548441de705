import Foundation
import SluiceCore

/// The monitoring settings (`monitoring.*`, `ses.max_24h_send`) turned into the Core types that use them.
public struct MonitoringConfiguration: Sendable {
    /// Alert thresholds, cool-down and the stats settings inside them.
    public var alerts: AlertConfiguration
    /// When sending pauses itself (`monitoring.protection*`).
    public var protection: ProtectionPolicy
    /// The configured 24-hour quota: nil when `ses.max_24h_send` is 0 (read from SES) or -1 (unlimited).
    public var configuredMax24HourSend: Double?
    /// Alert webhook; nil when not configured.
    public var webhookURL: String?
    /// SNS topic alerts are published to (`monitoring.alert_sns_topic_arn`); nil when not configured.
    public var alertSNSTopic: SNSTopicARN? = nil
    /// How much counter history each evaluation reads (the volume rule needs 8 days).
    public var history: TimeInterval
    /// How many past notifications `GET /v1/alerts` and `sluice alerts` keep.
    public var recentNotificationLimit: Int
    /// `sns.topic_arns`: an unsubscribed topic they no longer allow raises no alert; nil leaves every topic in.
    public var snsTopicPatterns: [String]? = nil

    public init(
        alerts: AlertConfiguration = AlertConfiguration(), protection: ProtectionPolicy = ProtectionPolicy(),
        configuredMax24HourSend: Double? = nil, webhookURL: String? = nil, history: TimeInterval = 8 * 86_400,
        recentNotificationLimit: Int = 50
    ) {
        self.alerts = alerts
        self.protection = protection
        self.configuredMax24HourSend = configuredMax24HourSend
        self.webhookURL = webhookURL
        self.history = history
        self.recentNotificationLimit = max(1, recentNotificationLimit)
    }

    /// Reads the `monitoring.*` keys.
    public init(configuration c: SluiceConfiguration) {
        // Only `history` worth of counters is read, so the representative window may not look further back:
        // otherwise its reported start would claim hours that were never read.
        let history: TimeInterval = 8 * 86_400
        let stats = StatsConfiguration(
            representativeSends: c.int("monitoring.representative_volume"), minimumVolume: c.int("monitoring.min_volume"),
            representativeMaxLookback: history, minimumEvents: c.int("monitoring.min_events")
        )
        let lowRatio = c.double("monitoring.volume_low_ratio")
        let silenceHours = c.double("monitoring.feedback_silence_hours")
        let alerts = AlertConfiguration(
            bounceRateWarning: c.double("monitoring.bounce_warning"), bounceRateCritical: c.double("monitoring.bounce_critical"),
            complaintRateWarning: c.double("monitoring.complaint_warning"),
            complaintRateCritical: c.double("monitoring.complaint_critical"),
            deliveryRateWarning: c.double("monitoring.delivery_warning"),
            volumeLowRatio: lowRatio > 0 ? lowRatio : nil, volumeHighRatio: c.double("monitoring.volume_high_ratio"),
            quotaWarning: c.double("monitoring.quota_warning"), quotaCritical: c.double("monitoring.quota_critical"),
            feedbackSilence: silenceHours > 0 ? silenceHours * HourMath.hour : nil,
            feedbackSilenceMinimumSends: c.int("monitoring.feedback_silence_min_sends"),
            coolDown: TimeInterval(c.int("monitoring.alert_cooldown_seconds")), stats: stats
        )
        let protection = ProtectionPolicy(
            mode: ProtectionPolicy.Mode(rawValue: c.string("monitoring.protection")) ?? .off,
            complaintRateThreshold: c.double("monitoring.protection_complaint"),
            bounceRateThreshold: c.double("monitoring.protection_bounce"), window: alerts.rateWindow
        )
        let max24h = c.int("ses.max_24h_send")
        let webhook = c.string("monitoring.webhook_url")
        self.init(
            alerts: alerts, protection: protection, configuredMax24HourSend: max24h > 0 ? Double(max24h) : nil,
            webhookURL: webhook.isEmpty ? nil : webhook, history: history
        )
        // The configuration check refused anything that is not a topic ARN.
        alertSNSTopic = SNSTopicARN(c.string("monitoring.alert_sns_topic_arn"))
        snsTopicPatterns = c.strings("sns.topic_arns")
    }
}
