import Foundation
import SluiceCore

/// Open alerts (critical first) and the last notifications (newest first).
public struct AlertsView: Sendable, Encodable {
    /// Open alerts, critical first.
    public var open: [ActiveAlert]
    /// The last notifications, newest first.
    public var recent: [AlertNotification]

    private enum CodingKeys: String, CodingKey { case open, recent }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(open.map(OpenAlertView.init), forKey: .open)
        try c.encode(recent, forKey: .recent)
    }
}

/// An open alert with snake_case keys.
struct OpenAlertView: Encodable {
    var alert: ActiveAlert

    private enum CodingKeys: String, CodingKey {
        case id, rule, scope, severity, value, threshold, message
        case startedAt = "started_at", lastNotifiedAt = "last_notified_at", unjudgedSince = "unjudged_since"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(alert.id, forKey: .id)
        try c.encode(alert.rule, forKey: .rule)
        try c.encode(alert.scope, forKey: .scope)
        try c.encode(alert.severity, forKey: .severity)
        try c.encode(alert.value, forKey: .value)
        try c.encode(alert.threshold, forKey: .threshold)
        try c.encode(alert.message, forKey: .message)
        try c.encode(alert.startedAt, forKey: .startedAt)
        try c.encode(alert.lastNotifiedAt, forKey: .lastNotifiedAt)
        // Null while judged; else since when the rule could not judge the scope (the alert is held open).
        try c.encode(alert.unjudgedSince, forKey: .unjudgedSince)
    }
}
