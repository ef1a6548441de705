import SluiceCore

/// Publishes the monitor's view as gauges; only fixed names and closed label sets (no addresses, no identities).
/// The rates, window sends, quota use and open alerts are the leader's: other instances do not export them,
/// since an absent series, not a value, is how Prometheus says "not known here".
struct MonitorGauges: Sendable {
    let metrics: AppMetrics

    /// Registers every series up front so dashboards see zeros instead of gaps before the first evaluation.
    func registerAll() {
        metrics.set(Self.leaderName, help: Self.leaderHelp, 0)
        for rule in AlertRule.allCases {
            for severity in AlertSeverity.allCases {
                metrics.set("sluice_alert_active", help: Self.alertHelp, labels: ["rule": rule.rawValue, "severity": severity.rawValue], 0)
            }
        }
        for reason in SuppressionReason.allCases {
            metrics.set("sluice_suppressions", help: Self.suppressionsHelp, labels: ["reason": reason.rawValue], 0)
        }
    }

    /// Rates, quota and alerts from one evaluation.
    func update(report: StatsReport, alerts: AlertState) {
        for w in report.windows {
            let labels = ["window": w.name]
            // No sends gives no rate; 0 keeps graphs continuous and sluice_window_sends tells the two apart.
            metrics.set("sluice_bounce_rate", help: Self.bounceHelp, labels: labels, w.bounceRate ?? 0)
            metrics.set("sluice_complaint_rate", help: Self.complaintHelp, labels: labels, w.complaintRate ?? 0)
            metrics.set("sluice_delivery_rate", help: Self.deliveryHelp, labels: labels, w.deliveryRate ?? 0)
            metrics.set("sluice_window_sends", help: Self.sendsHelp, labels: labels, Double(w.sends))
        }
        if let use = report.quota.use {
            metrics.set("sluice_quota_use_ratio", help: Self.quotaHelp, use)
        } else {
            metrics.remove("sluice_quota_use_ratio")  // the quota became unknown or unlimited: no ratio
        }
        var counts: [String: Int] = [:]
        for alert in alerts.active.values {
            counts[alert.rule.rawValue + "|" + alert.severity.rawValue, default: 0] += 1
        }
        for rule in AlertRule.allCases {
            for severity in AlertSeverity.allCases {
                let n = counts[rule.rawValue + "|" + severity.rawValue] ?? 0
                metrics.set("sluice_alert_active", help: Self.alertHelp, labels: ["rule": rule.rawValue, "severity": severity.rawValue], Double(n))
            }
        }
    }

    /// `sluice_monitor_leader`: 1 when this instance's last tick evaluated, 0 otherwise.
    func update(leader: Bool) {
        metrics.set(Self.leaderName, help: Self.leaderHelp, leader ? 1 : 0)
    }

    /// Not the leader: the series only the evaluating instance knows (rates, window sends, quota use, open alerts)
    /// are removed rather than left at a former leader's stale values, zeros or NaN (which poisons `sum()`), so
    /// aggregations across instances see the leader's alone. The next `update(report:alerts:)` sets them again.
    func markFollower() {
        update(leader: false)
        for window in StatsWindow.allCases {
            let labels = ["window": window.rawValue]
            for name in ["sluice_bounce_rate", "sluice_complaint_rate", "sluice_delivery_rate", "sluice_window_sends"] {
                metrics.remove(name, labels: labels)
            }
        }
        metrics.remove("sluice_quota_use_ratio")
        for rule in AlertRule.allCases {
            for severity in AlertSeverity.allCases {
                metrics.remove("sluice_alert_active", labels: ["rule": rule.rawValue, "severity": severity.rawValue])
            }
        }
    }

    /// The gate state (also called by the sending routes, so a pause shows at once).
    func update(sending: SendingControl.State) {
        metrics.set("sluice_sending_paused", help: "1 while all sending is paused.", sending.paused ? 1 : 0)
        metrics.set("sluice_sending_paused_identities", help: "Identities paused on their own.", Double(sending.pausedIdentities.count))
    }

    /// Active suppressions per reason.
    func update(suppressions: [SuppressionReason: Int]) {
        for reason in SuppressionReason.allCases {
            metrics.set("sluice_suppressions", help: Self.suppressionsHelp, labels: ["reason": reason.rawValue], Double(suppressions[reason] ?? 0))
        }
    }

    static let alertHelp = "Open alerts by rule and severity (present only on the monitor leader)."
    static let leaderName = "sluice_monitor_leader"
    static let leaderHelp = "1 on the instance whose monitor evaluated at its last tick (the leader), 0 otherwise."
    static let bounceHelp = "Hard bounces / sends over the window (fraction; present only on the monitor leader)."
    static let complaintHelp = "Complaints / sends over the window (fraction; present only on the monitor leader)."
    static let deliveryHelp = "Deliveries / sends over the window (fraction; present only on the monitor leader)."
    static let sendsHelp = "Sends counted in the window (present only on the monitor leader)."
    static let quotaHelp = "Sends in the last 24 h / the 24-hour quota (present only on the monitor leader)."
    static let suppressionsHelp = "Active suppressions by reason."
}
