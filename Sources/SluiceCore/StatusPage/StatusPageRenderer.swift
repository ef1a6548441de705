import Foundation

/// Renders a self-contained HTML5 status page: inline CSS and SVG, no JavaScript, no external resources.
public enum StatusPageRenderer {
    /// The page for `snapshot`; every dynamic string is HTML-escaped.
    public static func render(_ snapshot: StatusSnapshot) -> String {
        var html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(snapshot.title))</title>
        <style>\(css)</style>
        </head>
        <body>
        <h1>\(e(snapshot.title))</h1>
        <p class="meta">Generated \(e(snapshot.generatedAt.ISO8601Format())) &middot; rates judged from \(snapshot.report.minimumVolume) sends</p>

        """
        html += pauseSection(snapshot.report.paused)
        html += ratesSection(snapshot)
        html += "<h2>Last 7 days</h2>\n" + StatusChart.svg(snapshot.chart) + "\n"
        html += alertsSection(snapshot.openAlerts)
        html += countsSection(
            "Suppressions", header: "Reason",
            rows: SuppressionReason.allCases.compactMap { r in snapshot.suppressionCounts[r].map { (r.rawValue, $0) } }
        )
        html += countsSection("Queue", header: "State", rows: snapshot.queueCounts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        html += "</body>\n</html>\n"
        return html
    }

    static func e(_ s: String) -> String { HTMLEscape.escape(s) }

    private static func pauseSection(_ p: PauseStatus) -> String {
        var out = ""
        if p.paused {
            out += "<p class=\"banner crit\">Sending is PAUSED"
            if let reason = p.reason { out += ": " + e(reason) }
            if let since = p.since { out += " (since " + e(since.ISO8601Format()) + ")" }
            out += "</p>\n"
        } else {
            out += "<p class=\"banner ok\">Sending is active</p>\n"
        }
        if !p.identities.isEmpty {
            out += "<p class=\"banner warn\">Paused identities: " + p.identities.map(e).joined(separator: ", ") + "</p>\n"
        }
        return out
    }

    private static func ratesSection(_ s: StatusSnapshot) -> String {
        let t = s.thresholds
        var out = "<h2>Rates</h2>\n<table>\n<tr><th>Scope</th><th>Window</th><th>Sends</th><th>Bounce</th>"
            + "<th>Complaint</th><th>Delivery</th></tr>\n"
        func row(_ scope: String, _ w: WindowStats) {
            out += "<tr><td>\(e(scope))</td><td>\(e(w.name))</td><td class=\"num\">\(w.sends)</td>"
            out += cell(w, .bounce, warning: t.bounceRateWarning, critical: t.bounceRateCritical)
            out += cell(w, .complaint, warning: t.complaintRateWarning, critical: t.complaintRateCritical)
            out += cell(w, .delivery, warning: nil, critical: nil, below: t.deliveryRateWarning)
            out += "</tr>\n"
        }
        for w in s.report.windows { row("overall", w) }
        for identity in s.report.identities {
            if let w = identity.window(t.rateWindow) { row(identity.identity.isEmpty ? "(none)" : identity.identity, w) }
        }
        out += "</table>\n"
        out += "<p class=\"meta\">Thresholds: bounce &gt; \(pct(t.bounceRateWarning)) warning, &gt; \(pct(t.bounceRateCritical)) critical; "
            + "complaint &gt; \(pct(t.complaintRateWarning)) warning, &gt; \(pct(t.complaintRateCritical)) critical; "
            + "delivery &lt; \(pct(t.deliveryRateWarning)) warning. Grey: not judged (fewer than \(s.report.minimumVolume) sends, "
            + "or a high rate from fewer than \(s.report.windows.first?.minimumEvents ?? 0) bounces or complaints).</p>\n"
        let q = s.report.quota
        if let use = q.use, let max = q.max24h {
            let level = classify(use, warning: t.quotaWarning, critical: t.quotaCritical)
            out += "<p>Quota: <span class=\"\(level)\">\(q.sent24h) of \(RateFormat.number(max, decimals: 0)) in 24 h "
                + "(\(RateFormat.percent(use, decimals: 1)))</span></p>\n"
        } else {
            out += "<p>Quota: \(q.sent24h) sent in 24 h (maximum unknown or unlimited)</p>\n"
        }
        return out
    }

    private static func cell(_ w: WindowStats, _ metric: RateMetric, warning: Double?, critical: Double?, below: Double? = nil) -> String {
        let text = RateFormat.percent(w.rate(metric))
        let level: String
        switch w.reading(metric) {
        case .insufficientVolume:
            level = "na"
        case .value(let v):
            if let below {
                // Without delivery events the rate means "not configured", not "nothing delivered".
                level = w.deliveries == 0 ? "na" : (v < below ? "warn" : "ok")
            } else {
                let judged = classify(v, warning: warning, critical: critical)
                // A high rate from fewer than `minimumEvents` bounces or complaints is noise, not a breach:
                // grey, as the alert rules and protection see it.
                level = judged != "ok" && w.status(metric) == .insufficientEvents ? "na" : judged
            }
        }
        return "<td class=\"num \(level)\">\(e(text))</td>"
    }

    private static func classify(_ v: Double, warning: Double?, critical: Double?) -> String {
        if let critical, v > critical { return "crit" }
        if let warning, v > warning { return "warn" }
        return "ok"
    }

    private static func pct(_ v: Double?) -> String {
        v.map { RateFormat.percent($0) } ?? "off"
    }

    private static func alertsSection(_ alerts: [ActiveAlert]) -> String {
        var out = "<h2>Open alerts</h2>\n"
        guard !alerts.isEmpty else { return out + "<p class=\"ok\">No open alerts</p>\n" }
        out += "<table>\n<tr><th>Severity</th><th>Rule</th><th>Scope</th><th>Since</th><th>Message</th></tr>\n"
        for a in alerts {
            let level = a.severity == .critical ? "crit" : "warn"
            out += "<tr><td class=\"\(level)\">\(e(a.severity.rawValue))</td><td>\(e(a.rule.rawValue))</td>"
                + "<td>\(e(a.scope.description))</td><td>\(e(a.startedAt.ISO8601Format()))</td><td>\(e(a.message))</td></tr>\n"
        }
        return out + "</table>\n"
    }

    private static func countsSection(_ title: String, header: String, rows: [(String, Int)]) -> String {
        var out = "<h2>\(e(title))</h2>\n"
        guard !rows.isEmpty else { return out + "<p class=\"meta\">None</p>\n" }
        out += "<table>\n<tr><th>\(e(header))</th><th>Count</th></tr>\n"
        for (name, count) in rows {
            out += "<tr><td>\(e(name))</td><td class=\"num\">\(count)</td></tr>\n"
        }
        return out + "</table>\n"
    }

    private static let css = """
    body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;max-width:60em}\
    table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}\
    td.num{text-align:right;font-variant-numeric:tabular-nums}.meta{color:#666;font-size:.9em}\
    .ok{background:#e3f4e3}.warn{background:#fff1cc}.crit{background:#fbd5d5}.na{background:#eee;color:#777}\
    .banner{padding:.5em;border-radius:4px;font-weight:bold}svg{max-width:100%;height:auto}
    """
}
