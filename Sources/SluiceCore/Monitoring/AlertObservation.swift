/// What one rule found for one scope in one evaluation: holding (with a severity) or clear.
struct AlertObservation: Sendable, Equatable {
    var rule: AlertRule
    var scope: AlertScope
    /// Nil when the condition does not hold (or is not judged).
    var severity: AlertSeverity?
    var value: Double?
    var threshold: Double?
    var message: String
    /// Clear, but not by `AlertConfiguration.clearMargin`: an open alert stays open (hysteresis), so a rate
    /// hovering at its threshold does not fire and resolve at every evaluation.
    var withinClearMargin = false

    var key: String { AlertState.key(rule, scope) }
}
