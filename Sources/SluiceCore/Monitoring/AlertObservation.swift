/// What one rule found for one scope in one evaluation: holding (with a severity), clear, or not judged.
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
    /// False when the rule cannot judge the scope now (too few sends or events, no delivery events): an open
    /// alert neither repeats nor resolves on it (see `AlertConfiguration.unjudgedGrace`).
    var judged = true

    var key: String { AlertState.key(rule, scope) }
}
