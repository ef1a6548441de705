import Foundation

extension StatsReport {
    /// A plain-text table for `sluice stats`: one row per scope and window, then quota and pause lines.
    public func renderText() -> String {
        let header = ["SCOPE", "WINDOW", "SENDS", "DELIVERED", "HARD", "SOFT", "COMPLAINTS", "REJECTS", "DELAYS",
                      "BOUNCE", "COMPLAINT", "DELIVERY", "JUDGED"]
        var rows: [[String]] = [header]
        func add(_ scope: String, _ w: WindowStats) {
            rows.append([
                scope, w.name, "\(w.sends)", "\(w.deliveries)", "\(w.hardBounces)", "\(w.softBounces)",
                "\(w.complaints)", "\(w.rejects)", "\(w.delays)", RateFormat.percent(w.bounceRate),
                RateFormat.percent(w.complaintRate), RateFormat.percent(w.deliveryRate),
                judgedCell(w),
            ])
        }
        for w in windows { add("overall", w) }
        for identity in identities {
            for w in identity.windows { add(Self.printable(identity.identity), w) }
        }
        let widths = header.indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        var out = ""
        for row in rows {
            let cells = row.enumerated().map { i, cell in
                // Names left-aligned, numbers right-aligned; the last column is not padded.
                if i == row.count - 1 { return cell }
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return i < 2 ? cell + pad : pad + cell
            }
            out += cells.joined(separator: "  ") + "\n"
        }
        out += "\n"
        if let use = quota.use, let max = quota.max24h {
            out += "quota: \(quota.sent24h) of \(RateFormat.number(max, decimals: 0)) in 24 h (\(RateFormat.percent(use, decimals: 1)))\n"
        } else {
            out += "quota: \(quota.sent24h) sent in 24 h (maximum unknown or unlimited)\n"
        }
        if paused.paused {
            out += "paused: yes" + (paused.reason.map { " - \(Self.printable($0))" } ?? "") + "\n"
        } else {
            out += "paused: no\n"
        }
        if !paused.identities.isEmpty {
            out += "paused identities: " + paused.identities.map(Self.printable).joined(separator: ", ") + "\n"
        }
        if windows.contains(where: { !$0.judged }) || identities.contains(where: { $0.windows.contains { !$0.judged } }) {
            out += "note: rates of windows with fewer than \(minimumVolume) sends are shown but not judged (insufficient volume)\n"
        }
        let all = windows + identities.flatMap(\.windows)
        if let few = all.first(where: { $0.status(.bounce) == .insufficientEvents || $0.status(.complaint) == .insufficientEvents }) {
            out += "note: bounce and complaint rates from fewer than \(few.minimumEvents) events are shown but cannot breach (insufficient events)\n"
        }
        return out
    }

    /// `yes`, `no (< 100 sends)`, or `yes; complaint < 3 events` when a rate rests on too few events to breach.
    private func judgedCell(_ w: WindowStats) -> String {
        guard w.judged else { return "no (< \(w.minimumVolume) sends)" }
        let few = [RateMetric.bounce, .complaint].filter { w.status($0) == .insufficientEvents }
        guard !few.isEmpty else { return "yes" }
        return "yes; " + few.map(\.rawValue).joined(separator: ", ") + " < \(w.minimumEvents) events"
    }

    /// Replaces control characters so hostile identity names cannot break the table or the terminal.
    static func printable(_ s: String) -> String {
        let cleaned = String(String.UnicodeScalarView(s.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format ? "?" : scalar
        }))
        return cleaned.isEmpty ? "(none)" : cleaned
    }
}
