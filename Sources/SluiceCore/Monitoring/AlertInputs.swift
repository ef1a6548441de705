import Foundation

/// An external signal the app observed; its alert holds while the app keeps passing it in.
public struct ExternalSignal: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// SNS delivered an UnsubscribeConfirmation for a feedback topic.
        case snsUnsubscribeConfirmation = "sns_unsubscribe_confirmation"
        /// SES answered `AccountSuspendedException` or `SendingPausedException`.
        case sesSendingPaused = "ses_sending_paused"
    }

    public var kind: Kind
    /// Topic ARN, SES error name... shown in the alert message.
    public var detail: String
    public var at: Date

    public init(kind: Kind, detail: String, at: Date) {
        self.kind = kind
        self.detail = detail
        self.at = at
    }
}

/// Everything `AlertEngine.evaluate` judges.
public struct AlertInputs: Sendable {
    /// Hourly counters covering at least the last 8 days (for the volume rule) and the representative volume.
    public var samples: [CounterSample]
    public var quota: SendQuota?
    /// When the last SES feedback (any SNS notification) was stored; nil to derive it from non-send counters.
    public var lastFeedbackAt: Date?
    /// Signals currently in effect.
    public var signals: [ExternalSignal]
    /// Whether SES Delivery or Send events appear in the counters read (the feedback-silence rule is armed only
    /// then); nil to look in `samples` (where `reconcilingSends` has already folded Send events into sends).
    public var deliveryOrSendEventsSeen: Bool?

    public init(
        samples: [CounterSample], quota: SendQuota? = nil, lastFeedbackAt: Date? = nil, signals: [ExternalSignal] = [],
        deliveryOrSendEventsSeen: Bool? = nil
    ) {
        self.samples = samples
        self.quota = quota
        self.lastFeedbackAt = lastFeedbackAt
        self.signals = signals
        self.deliveryOrSendEventsSeen = deliveryOrSendEventsSeen
    }
}
