import SluiceCore

/// Publishes the monitor's view as gauges; only fixed names and closed label sets (no addresses, no identities).
struct MonitorGauges: Sendable {
    let metrics: AppMetrics

    /// Registers every series up front so dashboards see zeros instead of gaps before the first evaluation.
    func registerAll() {
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
            metrics.set("sluice_bounce_rate", help: "Hard bounces / sends over the window (fraction).", labels: labels, w.bounceRate ?? 0)
            metrics.set("sluice_complaint_rate", help: "Complaints / sends over the window (fraction).", labels: labels, w.complaintRate ?? 0)
            metrics.set("sluice_delivery_rate", help: "Deliveries / sends over the window (fraction).", labels: labels, w.deliveryRate ?? 0)
            metrics.set("sluice_window_sends", help: "Sends counted in the window.", labels: labels, Double(w.sends))
        }
        if let use = report.quota.use {
            metrics.set("sluice_quota_use_ratio", help: "Sends in the last 24 h / the 24-hour quota.", use)
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

    static let alertHelp = "Open alerts by rule and severity."
    static let suppressionsHelp = "Active suppressions by reason."
}
