/// The account's SES sending quota as `GetAccount` reports it (`SendQuota`).
public struct SendQuota: Sendable, Equatable, Codable {
    /// `Max24HourSend`; nil or ≤ 0 (SES uses −1) means unlimited or unknown.
    public var max24HourSend: Double?
    /// `SentLast24Hours` as SES counts it (nil when unknown); a report takes the larger of it and Sluice's own send counters.
    public var sentLast24Hours: Double?

    public init(max24HourSend: Double?, sentLast24Hours: Double? = nil) {
        self.max24HourSend = max24HourSend
        self.sentLast24Hours = sentLast24Hours
    }
}

/// Quota use in a report: sent in the last 24 h over the 24-hour maximum.
public struct QuotaUse: Sendable, Equatable, Codable {
    public var sent24h: Int
    /// Nil when unlimited or unknown.
    public var max24h: Double?
    /// `sent24h / max24h` (0.8 = 80 %); nil when the maximum is unlimited or unknown.
    public var use: Double?

    public init(sent24h: Int, max24h: Double?) {
        self.sent24h = sent24h
        if let max24h, max24h > 0 {
            self.max24h = max24h
            self.use = Double(sent24h) / max24h
        } else {
            self.max24h = nil
            self.use = nil
        }
    }

    private enum CodingKeys: String, CodingKey {
        case sent24h = "sent_24h", max24h = "max_24h", use
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sent24h, forKey: .sent24h)
        try c.encode(max24h, forKey: .max24h)
        try c.encode(use, forKey: .use)
    }

    /// Decodes `sent_24h` and `max_24h`; `use` is recomputed.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(sent24h: try c.decode(Int.self, forKey: .sent24h), max24h: try c.decodeIfPresent(Double.self, forKey: .max24h))
    }
}
