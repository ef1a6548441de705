import Foundation

/// One message to send to operators (webhook, log) about an alert.
public struct AlertNotification: Sendable, Equatable, Codable {
    /// The alert episode id, shared by its firing, repeat and resolved notifications.
    public var id: String
    public var rule: AlertRule
    public var severity: AlertSeverity
    public var status: AlertStatus
    public var scope: AlertScope
    /// The observed value (a fraction for rates and quota, a ratio for volume, hours for silence).
    public var value: Double?
    public var threshold: Double?
    public var message: String
    public var at: Date

    public init(
        id: String, rule: AlertRule, severity: AlertSeverity, status: AlertStatus, scope: AlertScope, value: Double?,
        threshold: Double?, message: String, at: Date
    ) {
        self.id = id
        self.rule = rule
        self.severity = severity
        self.status = status
        self.scope = scope
        self.value = value
        self.threshold = threshold
        self.message = message
        self.at = at
    }

    /// 0 for overall critical, 1 overall warning, 2 identity critical, 3 identity warning: lower goes first
    /// and is dropped last.
    public var priority: Int {
        (scope == .overall ? 0 : 2) + (severity == .critical ? 0 : 1)
    }

    /// Slack-style text (mrkdwn with `&`, `<`, `>` escaped so identity names cannot inject mentions or links).
    public var slackText: String {
        let icon: String
        switch (status, severity) {
        case (.resolved, _): icon = ":white_check_mark:"
        case (_, .critical): icon = ":rotating_light:"
        case (_, .warning): icon = ":warning:"
        }
        let label: String
        switch status {
        case .firing: label = severity.rawValue.uppercased()
        case .repeat: label = severity.rawValue.uppercased() + ", still firing"
        case .resolved: label = "RESOLVED"
        }
        let text = "\(icon) [\(label)] \(rule.rawValue) (\(scope)): \(message)"
        return Self.slackEscape(text)
    }

    /// The webhook body `{"text": slackText}` as JSON.
    public func slackPayload() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a [String: String] cannot fail.
        return (try? encoder.encode(["text": slackText])) ?? Data("{}".utf8)
    }

    static func slackEscape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(ch)
            }
        }
        return out
    }
}
