import Foundation

/// Thresholds and timings of the alert rules; every threshold can be set to nil to disable that level.
public struct AlertConfiguration: Sendable, Equatable, Codable {
    /// Rate rules fire when the bounce rate is strictly above these fractions.
    public var bounceRateWarning: Double?
    public var bounceRateCritical: Double?
    /// Rate rules fire when the complaint rate is strictly above these fractions.
    public var complaintRateWarning: Double?
    public var complaintRateCritical: Double?
    /// Warn when the delivery rate is strictly below this fraction (only judged once delivery events are seen).
    public var deliveryRateWarning: Double?
    /// The window the rate rules judge.
    public var rateWindow: StatsWindow
    /// Warn when the last complete hour's sends are below this fraction of the 7-day same-hour median.
    public var volumeLowRatio: Double?
    /// Warn when the last complete hour's sends are above this fraction of the 7-day same-hour median.
    public var volumeHighRatio: Double?
    /// The volume rule is skipped while the same-hour median is below this many sends.
    public var volumeMinimumMedian: Int
    /// Quota use (sent 24 h / max 24 h) strictly above these fractions.
    public var quotaWarning: Double?
    public var quotaCritical: Double?
    /// No SES feedback for this long while sends continued is critical (nil: off). Armed only once SES Delivery
    /// or Send events appear in the history: an account that publishes only bounces and complaints is quiet
    /// whenever its mail is clean.
    public var feedbackSilence: TimeInterval?
    /// Sends within the silence period needed for the feedback-silence rule to fire.
    public var feedbackSilenceMinimumSends: Int
    /// A condition that still holds is notified again after this long.
    public var coolDown: TimeInterval
    /// Rate statistics settings (minimum volume, representative volume).
    public var stats: StatsConfiguration
    /// An open threshold alert resolves only once its value is this fraction clear of the threshold:
    /// 0.1 resolves a 1 % bounce alert at 0.9 %, a 95 % delivery alert at 95.5 % (a tenth of the allowed
    /// 5 % shortfall). Without it, a rate at the threshold fires and resolves at every evaluation.
    public var clearMargin: Double
    /// An open alert whose rule can no longer judge its scope (too few sends or events, the identity left the
    /// window, the quota unknown) stays open, without repeats, until a judged reading clears it or this long passes.
    public var unjudgedGrace: TimeInterval
    /// Open identity alerts at most (all rules together); identities beyond it are counted in one alert per
    /// rule with scope `identity:*`, which keeps the persisted alert state well under the 1 MiB setting limit.
    public var maxIdentityAlerts: Int

    public init(
        bounceRateWarning: Double? = 0.01, bounceRateCritical: Double? = 0.02,
        complaintRateWarning: Double? = 0.0005, complaintRateCritical: Double? = 0.001,
        deliveryRateWarning: Double? = 0.95, rateWindow: StatsWindow = .representative,
        volumeLowRatio: Double? = 0.5, volumeHighRatio: Double? = 3.0, volumeMinimumMedian: Int = 100,
        quotaWarning: Double? = 0.8, quotaCritical: Double? = 0.95,
        feedbackSilence: TimeInterval? = 6 * 3600, feedbackSilenceMinimumSends: Int = 100,
        coolDown: TimeInterval = 3600, stats: StatsConfiguration = StatsConfiguration(), clearMargin: Double = 0.1,
        unjudgedGrace: TimeInterval = 24 * 3600, maxIdentityAlerts: Int = 200
    ) {
        self.bounceRateWarning = bounceRateWarning
        self.bounceRateCritical = bounceRateCritical
        self.complaintRateWarning = complaintRateWarning
        self.complaintRateCritical = complaintRateCritical
        self.deliveryRateWarning = deliveryRateWarning
        self.rateWindow = rateWindow
        self.volumeLowRatio = volumeLowRatio
        self.volumeHighRatio = volumeHighRatio
        self.volumeMinimumMedian = volumeMinimumMedian
        self.quotaWarning = quotaWarning
        self.quotaCritical = quotaCritical
        self.feedbackSilence = feedbackSilence
        self.feedbackSilenceMinimumSends = max(1, feedbackSilenceMinimumSends)
        self.coolDown = coolDown
        self.stats = stats
        self.clearMargin = min(max(clearMargin, 0), 1)
        self.unjudgedGrace = max(0, unjudgedGrace)
        self.maxIdentityAlerts = max(0, maxIdentityAlerts)
    }
}
