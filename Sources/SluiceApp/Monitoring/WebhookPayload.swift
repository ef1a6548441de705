import Foundation
import SluiceCore

/// The webhook body: every `AlertNotification` field plus a Slack-compatible `text`, so the same URL can be
/// a Slack incoming webhook or a program reading the fields.
struct WebhookPayload: Encodable {
    var source = "sluice"
    var id: String
    var rule: String
    var severity: String
    var status: String
    var scope: String
    var value: Double?
    var threshold: Double?
    var message: String
    var at: String
    var text: String

    init(_ n: AlertNotification) {
        id = n.id
        rule = n.rule.rawValue
        severity = n.severity.rawValue
        status = n.status.rawValue
        scope = n.scope.description
        value = n.value.flatMap { $0.isFinite ? $0 : nil }
        threshold = n.threshold.flatMap { $0.isFinite ? $0 : nil }
        message = n.message
        at = n.at.ISO8601Format()
        text = n.slackText
    }

    private enum CodingKeys: String, CodingKey {
        case source, id, rule, severity, status, scope, value, threshold, message, at, text
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(id, forKey: .id)
        try c.encode(rule, forKey: .rule)
        try c.encode(severity, forKey: .severity)
        try c.encode(status, forKey: .status)
        try c.encode(scope, forKey: .scope)
        // Explicit nulls: receivers see every field on every notification.
        try c.encode(value, forKey: .value)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(message, forKey: .message)
        try c.encode(at, forKey: .at)
        try c.encode(text, forKey: .text)
    }

    /// The JSON bytes (sorted keys, so bodies are stable).
    func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and finite doubles always encode.
        return (try? Array(encoder.encode(self))) ?? Array("{}".utf8)
    }
}
