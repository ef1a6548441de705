import Foundation
import SluiceCore

/// The CLI's renderings of monitoring state: the API's JSON, or short plain text.
public enum MonitoringOutput {
    /// Pretty JSON in the same shape as the API.
    public static func json(_ value: some Encodable) throws -> String {
        try MonitoringJSON.string(value, pretty: true)
    }

    /// Open alerts, then recent notifications, one per line.
    public static func text(_ view: AlertsView) -> String {
        var out = ""
        if view.open.isEmpty {
            out += "open alerts: none\n"
        } else {
            out += "open alerts (\(view.open.count)):\n"
            for a in view.open {
                out += "  \(a.severity.rawValue.uppercased())  \(a.rule.rawValue)  \(printable(a.scope.description))  "
                    + "since \(a.startedAt.ISO8601Format())  \(printable(a.message))\n"
            }
        }
        if view.recent.isEmpty {
            out += "recent notifications: none\n"
        } else {
            out += "recent notifications (newest first):\n"
            for n in view.recent {
                out += "  \(n.at.ISO8601Format())  \(n.status.rawValue)  \(n.severity.rawValue)  \(n.rule.rawValue)  "
                    + "\(printable(n.scope.description))  \(printable(n.message))\n"
            }
        }
        return out
    }

    /// The gate state as text (`paused: yes - reason`) or JSON (`GET /v1/sending`, with `queue` from the
    /// store's `queueCounts()`; the text leaves the queue out).
    public static func sending(_ state: SendingControl.State, queue: [MessageState: Int], json asJSON: Bool) throws -> String {
        if asJSON {
            let byName = Dictionary(uniqueKeysWithValues: queue.map { ($0.key.rawValue, $0.value) })
            return try json(SendingStateView(state, queue: byName)) + "\n"
        }
        var out: String
        if state.paused {
            out = "paused: yes"
            if let source = state.source { out += " (by \(source.rawValue))" }
            if let reason = state.reason { out += " - \(printable(reason))" }
            if let since = state.since { out += "\nsince: \(since.ISO8601Format())" }
            out += "\n"
        } else {
            out = "paused: no\n"
        }
        for (identity, reason) in state.pausedIdentities.sorted(by: { $0.key < $1.key }) {
            out += "paused identity: \(printable(identity)) - \(printable(reason))\n"
        }
        return out
    }

    /// Replaces control and format characters so stored strings cannot drive the terminal.
    static func printable(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { scalar in
            let category = scalar.properties.generalCategory
            return category == .control || category == .format ? "?" : scalar
        }))
    }
}
