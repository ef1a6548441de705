import Foundation

/// One alert that is currently open.
public struct ActiveAlert: Sendable, Equatable, Codable {
    /// Stable for the whole episode (firing, repeats, resolve): `rule|scope|startEpochSeconds`.
    public var id: String
    public var rule: AlertRule
    public var scope: AlertScope
    /// The highest severity notified since the last notification (keeps flapping around a level quiet).
    public var severity: AlertSeverity
    public var value: Double?
    public var threshold: Double?
    public var message: String
    public var startedAt: Date
    public var lastNotifiedAt: Date
    /// Since when its rule has not been able to judge the scope; nil while judged.
    public var unjudgedSince: Date?

    public init(
        id: String, rule: AlertRule, scope: AlertScope, severity: AlertSeverity, value: Double?, threshold: Double?,
        message: String, startedAt: Date, lastNotifiedAt: Date, unjudgedSince: Date? = nil
    ) {
        self.id = id
        self.rule = rule
        self.scope = scope
        self.severity = severity
        self.value = value
        self.threshold = threshold
        self.message = message
        self.startedAt = startedAt
        self.lastNotifiedAt = lastNotifiedAt
        self.unjudgedSince = unjudgedSince
    }
}

/// The alert engine's memory between evaluations; the app persists it as JSON so it survives restarts.
public struct AlertState: Sendable, Equatable, Codable {
    /// Open alerts keyed by `rule|scope`.
    public var active: [String: ActiveAlert]
    /// When SES Delivery or Send events were first seen; from then on the feedback-silence rule stays armed even
    /// after those events leave the history read (a lasting SNS outage must not disarm the rule that reports it).
    /// Nil while none were seen, or while the rule is turned off (turning it off and on re-arms from the counters).
    public var feedbackSilenceArmedSince: Date?

    public init(active: [String: ActiveAlert] = [:], feedbackSilenceArmedSince: Date? = nil) {
        self.active = active
        self.feedbackSilenceArmedSince = feedbackSilenceArmedSince
    }

    /// Open alerts, critical first, then by rule and scope.
    public var openAlerts: [ActiveAlert] {
        active.values.sorted {
            if $0.severity != $1.severity { return $0.severity > $1.severity }
            if $0.rule != $1.rule { return $0.rule.rawValue < $1.rule.rawValue }
            return $0.scope.description < $1.scope.description
        }
    }

    /// The key of an alert in `active`.
    static func key(_ rule: AlertRule, _ scope: AlertScope) -> String {
        rule.rawValue + "|" + scope.description
    }
}
