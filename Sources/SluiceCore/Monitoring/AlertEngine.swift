import Foundation

/// Evaluates the alert rules against counters and signals and turns changes into notifications.
///
/// An alert fires once when its condition starts, repeats after `coolDown` while it holds, notifies at
/// once when it escalates warning → critical, and resolves when it clears. A de-escalation is not
/// notified by itself: the next repeat carries the lower severity. A judged value resolves only once it is
/// `clearMargin` clear of its threshold (hysteresis). A rule that can no longer judge an open alert's scope
/// (too few sends or events, the identity left the window, the quota unknown) holds it open without repeats
/// until a judged reading clears it or `unjudgedGrace` passes, so a scope at the minimum volume is one episode.
/// Notifications come overall first, then critical first.
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
        let armedSince = feedbackSilenceArmedSince(inputs, previous: previous, now: now)
        let observations = observe(inputs: inputs, stats: stats, now: now, feedbackSilenceArmed: armedSince != nil)
        var (state, notifications) = apply(observations, previous: previous, now: now)
        state.feedbackSilenceArmedSince = armedSince
        return (state, notifications)
    }

    func apply(_ observations: [AlertObservation], previous: AlertState, now: Date) -> (AlertState, [AlertNotification]) {
        var state = previous
        var notifications: [AlertNotification] = []
        var byKey: [String: AlertObservation] = [:]
        for o in capIdentityAlerts(observations, previous: previous) { byKey[o.key] = o }

        for key in Set(byKey.keys).union(previous.active.keys).sorted() {
            let observation = byKey[key]
            let existing = previous.active[key]
            if let o = observation, o.judged, let severity = o.severity {
                if var alert = existing {
                    alert.value = o.value
                    alert.threshold = o.threshold
                    alert.message = o.message
                    alert.unjudgedSince = nil
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
            } else if var alert = existing, let o = observation, o.judged, o.withinClearMargin {
                // Clear, but too close to the threshold to call it over: held open, without repeats.
                alert.value = o.value
                alert.message = o.message + "; open until \(RateFormat.percent(configuration.clearMargin, decimals: 0)) clear of the threshold"
                alert.unjudgedSince = nil
                state.active[key] = alert
            } else if var alert = existing, observation.map({ !$0.judged }) ?? isEnabled(alert.rule) {
                // Not judged (or no longer observed) is not cleared: held, keeping the last judged value, for
                // at most the grace period.
                let since = alert.unjudgedSince ?? now
                let why = observation?.message ?? "condition no longer observed"
                let hours = RateFormat.number(configuration.unjudgedGrace / HourMath.hour, decimals: 1)
                if now.timeIntervalSince(since) >= configuration.unjudgedGrace {
                    alert.message = why + "; resolved after \(hours) h without a judged reading"
                    state.active[key] = nil
                    notifications.append(notification(alert, status: .resolved, at: now))
                } else {
                    alert.unjudgedSince = since
                    alert.message = why + "; held open until a judged reading clears it (at most \(hours) h)"
                    state.active[key] = alert
                }
            } else if var alert = existing {
                alert.value = observation?.value
                alert.message = observation?.message ?? "rule turned off"
                state.active[key] = nil
                notifications.append(notification(alert, status: .resolved, at: now))
            }
        }
        return (state, Self.prioritised(notifications))
    }

    /// Whether the configuration still runs `rule` (a turned-off rule resolves its open alerts at once).
    func isEnabled(_ rule: AlertRule) -> Bool {
        let c = configuration
        switch rule {
        case .bounceRate: return c.bounceRateWarning != nil || c.bounceRateCritical != nil
        case .complaintRate: return c.complaintRateWarning != nil || c.complaintRateCritical != nil
        case .deliveryRate: return c.deliveryRateWarning != nil
        case .sendVolume: return c.volumeLowRatio != nil || c.volumeHighRatio != nil
        case .quotaUse: return c.quotaWarning != nil || c.quotaCritical != nil
        case .feedbackSilence: return c.feedbackSilence != nil
        case .snsUnsubscribed, .sesSendingPaused: return true
        }
    }

    /// Overall before identity, critical before warning; otherwise in key order (a stable sort), so a full
    /// queue downstream loses identity detail before the account-wide picture.
    static func prioritised(_ notifications: [AlertNotification]) -> [AlertNotification] {
        notifications.enumerated().sorted { ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset) }.map(\.element)
    }

    private func notification(_ alert: ActiveAlert, status: AlertStatus, at: Date) -> AlertNotification {
        AlertNotification(
            id: alert.id, rule: alert.rule, severity: alert.severity, status: status, scope: alert.scope,
            value: alert.value, threshold: alert.threshold, message: alert.message, at: at
        )
    }
}
