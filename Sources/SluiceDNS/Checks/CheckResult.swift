/// The verdict of one check.
public enum CheckStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pass
    case warn
    case fail
    /// The check could not be made (DNS timeout, SERVFAIL): neither pass nor fail, ask again later.
    case error
}

/// One check of a sending domain, e.g. `spf.record` or `dkim.<token>`.
public struct CheckResult: Sendable, Hashable, Codable {
    /// Stable identifier: spf.record, spf.ses_authorized, spf.lookup_limit, spf.all, dkim.<token>,
    /// dmarc.record, dmarc.policy, dmarc.rua, dmarc.alignment, mailfrom.mx, mailfrom.spf.
    public var id: String
    public var status: CheckStatus
    /// The record found, as published (nil when none).
    public var found: String?
    public var message: String
    /// The exact record to publish, e.g. `TXT example.com "v=spf1 include:amazonses.com ~all"`.
    public var fix: String?

    public init(id: String, status: CheckStatus, found: String? = nil, message: String, fix: String? = nil) {
        self.id = id
        self.status = status
        self.found = found
        self.message = message
        self.fix = fix
    }

    private enum CodingKeys: String, CodingKey { case id, status, found, message, fix }

    /// Encodes `found` and `fix` as null rather than omitting them, so the JSON shape is stable.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(status, forKey: .status)
        try container.encode(found, forKey: .found)
        try container.encode(message, forKey: .message)
        try container.encode(fix, forKey: .fix)
    }
}
