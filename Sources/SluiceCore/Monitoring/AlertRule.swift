/// The alert rules. Raw values are JSON/webhook contracts.
public enum AlertRule: String, Sendable, Codable, CaseIterable {
    case bounceRate = "bounce_rate"
    case complaintRate = "complaint_rate"
    case deliveryRate = "delivery_rate"
    /// Last complete hour's sends far from the 7-day same-hour median.
    case sendVolume = "send_volume"
    case quotaUse = "quota_use"
    /// SNS sent an UnsubscribeConfirmation: feedback for that topic stops.
    case snsUnsubscribed = "sns_unsubscribed"
    /// No SES feedback for a long time while sends continued.
    case feedbackSilence = "feedback_silence"
    /// SES answered AccountSuspended or SendingPaused.
    case sesSendingPaused = "ses_sending_paused"
}

/// How bad an alert is; ordered warning < critical.
public enum AlertSeverity: String, Sendable, Codable, CaseIterable, Comparable {
    case warning
    case critical

    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool {
        lhs == .warning && rhs == .critical
    }
}

/// What a notification says about an alert.
public enum AlertStatus: String, Sendable, Codable {
    /// The condition started, or escalated to a higher severity.
    case firing
    /// Still holding after the cool-down.
    case `repeat`
    /// The condition cleared.
    case resolved
}

/// What an alert is about: the whole account or one sending identity.
/// Encoded as the string `overall` or `identity:<name>`.
public enum AlertScope: Sendable, Hashable, Codable, CustomStringConvertible {
    case overall
    case identity(String)

    /// Identities beyond `AlertConfiguration.maxIdentityAlerts`, counted together (`identity:*`; no identity is named `*`).
    public static let otherIdentities = AlertScope.identity("*")

    /// The stable string form used in JSON and alert ids.
    public var description: String {
        switch self {
        case .overall: return "overall"
        case .identity(let name): return "identity:" + name
        }
    }

    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        if s == "overall" {
            self = .overall
        } else if s.hasPrefix("identity:") {
            self = .identity(String(s.dropFirst("identity:".count)))
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown alert scope"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
