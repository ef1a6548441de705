import Foundation

/// Evaluates the alert rules against counters and signals and turns changes into notifications.
///
/// An alert fires once when its condition starts, repeats after `coolDown` while it holds, notifies at
/// once when it escalates warning → critical, and resolves when it clears. A de-escalation is not
/// notified by itself: the next repeat carries the lower severity. A rate that is no longer judged
/// (volume fell below the minimum, or the identity left the window) counts as cleared and resolves; a
/// judged value resolves only once it is `clearMargin` clear of its threshold (hysteresis).
public struct AlertEngine: Sendable {
    public var configuration: AlertConfiguration

    public init(configuration: AlertConfiguration = AlertConfiguration()) {
        self.configuration = configuration
    }

    /// Judges `inputs` at `now` against the `previous` state; returns the new state and what to notify.
    public func evaluate(inputs: AlertInputs, previous: AlertState, now: Date) -> (AlertState, [AlertNotification]) {
        let stats = DeliverabilityStats(configuration: configuration.stats)
            .report(samples: inputs.samples, now: now, quota: inputs.quota)
        return evaluate(inputs: inputs, stats: stats, previous: previous, now: now)
    }

    /// Same as `evaluate(inputs:previous:now:)` with a report the caller already computed from the same samples.
    public func evaluate(
        inputs: AlertInputs, stats: StatsReport, previous: AlertState, now: Date
    ) -> (AlertState, [AlertNotification]) {
        let observations = observe(inputs: inputs, stats: stats, now: now)
        return apply(observations, previous: previous, now: now)
    }

    func apply(_ observations: [AlertObservation], previous: AlertState, now: Date) -> (AlertState, [AlertNotification]) {
        var state = previous
        var notifications: [AlertNotification] = []
        var byKey: [String: AlertObservation] = [:]
        for o in observations { byKey[o.key] = o }

        for key in Set(byKey.keys).union(previous.active.keys).sorted() {
            let observation = byKey[key]
            let existing = previous.active[key]
            if let o = observation, let severity = o.severity {
                if var alert = existing {
                    alert.value = o.value
                    alert.threshold = o.threshold
                    alert.message = o.message
                    if severity > alert.severity {
                        alert.severity = severity
                        alert.lastNotifiedAt = now
                        var escalated = notification(alert, status: .firing, at: now)
                        escalated.message = "escalated to \(severity.rawValue): " + o.message
                        notifications.append(escalated)
                    } else if now.timeIntervalSince(alert.lastNotifiedAt) >= configuration.coolDown {
                        alert.severity = severity
                        alert.lastNotifiedAt = now
                        notifications.append(notification(alert, status: .repeat, at: now))
                    }
                    state.active[key] = alert
                } else {
                    let alert = ActiveAlert(
                        id: "\(key)|\(Int(now.timeIntervalSince1970))", rule: o.rule, scope: o.scope, severity: severity,
                        value: o.value, threshold: o.threshold, message: o.message, startedAt: now, lastNotifiedAt: now
                    )
                    state.active[key] = alert
                    notifications.append(notification(alert, status: .firing, at: now))
                }
            } else if var alert = existing, let o = observation, o.withinClearMargin {
                // Clear, but too close to the threshold to call it over: held open, without repeats.
                alert.value = o.value
                alert.message = o.message + "; open until \(RateFormat.percent(configuration.clearMargin, decimals: 0)) clear of the threshold"
                state.active[key] = alert
            } else if var alert = existing {
                alert.value = observation?.value
                alert.message = observation?.message ?? "condition no longer observed"
                state.active[key] = nil
                notifications.append(notification(alert, status: .resolved, at: now))
            }
        }
        return (state, notifications)
    }

    private func notification(_ alert: ActiveAlert, status: AlertStatus, at: Date) -> AlertNotification {
        AlertNotification(
            id: alert.id, rule: alert.rule, severity: alert.severity, status: status, scope: alert.scope,
            value: alert.value, threshold: alert.threshold, message: alert.message, at: at
        )
    }
}
