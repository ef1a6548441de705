/// What one rule found for one scope in one evaluation: holding (with a severity) or clear.
struct AlertObservation: Sendable, Equatable {
    var rule: AlertRule
    var scope: AlertScope
    /// Nil when the condition does not hold (or is not judged).
    var severity: AlertSeverity?
    var value: Double?
    var threshold: Double?
    var message: String

    var key: String { AlertState.key(rule, scope) }
}
