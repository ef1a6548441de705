/// What SES said about the checked domain (`GetEmailIdentity`), or why it was not asked. The `ses` member
/// of the report's JSON; informative only: it never decides the exit code or turns a check into a failure.
///
/// JSON: `{"lookup", "reason", "identity_type", "verified_for_sending", "dkim_origin", "dkim_status",
/// "dkim_tokens", "tokens_used"}`, absent values as null (a stable shape, like `CheckResult`).
public struct SESIdentityReport: Sendable, Hashable, Codable {
    /// How the lookup went.
    public enum Lookup: String, Sendable, Hashable, Codable, CaseIterable {
        /// SES answered with the identity.
        case ok
        /// SES has no such identity in the region (404 `NotFoundException`).
        case notFound = "not_found"
        /// No usable answer (network, timeout, refusal, malformed body): `reason` says what went wrong.
        case failed
        /// SES was not asked: `reason` says why (tokens given, `--no-ses` / `ses=false`, SES not configured).
        case skipped
    }

    public var lookup: Lookup
    /// Why skipped, or what went wrong; nil when the lookup answered.
    public var reason: String?
    /// The region asked (nil when skipped).
    public var region: String?
    public var identityType: String?
    public var verifiedForSending: Bool?
    /// `DkimAttributes.SigningAttributesOrigin`: `AWS_SES` (Easy DKIM) or `EXTERNAL` (BYODKIM).
    public var dkimOrigin: String?
    /// `DkimAttributes.Status` as SES sees it.
    public var dkimStatus: String?
    /// `DkimAttributes.Tokens` as SES returned them.
    public var dkimTokens: [String]
    /// True when the `dkim.<token>` checks use `dkimTokens` (no token was given).
    public var tokensUsed: Bool

    public init(
        lookup: Lookup, reason: String? = nil, region: String? = nil, identityType: String? = nil,
        verifiedForSending: Bool? = nil, dkimOrigin: String? = nil, dkimStatus: String? = nil, dkimTokens: [String] = [],
        tokensUsed: Bool = false
    ) {
        self.lookup = lookup
        self.reason = reason
        self.region = region
        self.identityType = identityType
        self.verifiedForSending = verifiedForSending
        self.dkimOrigin = dkimOrigin
        self.dkimStatus = dkimStatus
        self.dkimTokens = dkimTokens
        self.tokensUsed = tokensUsed
    }

    /// A lookup that was not made.
    public static func skipped(_ reason: String) -> SESIdentityReport { SESIdentityReport(lookup: .skipped, reason: reason) }

    private enum CodingKeys: String, CodingKey {
        case lookup, reason, region
        case identityType = "identity_type"
        case verifiedForSending = "verified_for_sending"
        case dkimOrigin = "dkim_origin"
        case dkimStatus = "dkim_status"
        case dkimTokens = "dkim_tokens"
        case tokensUsed = "tokens_used"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        lookup = try container.decode(Lookup.self, forKey: .lookup)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        region = try container.decodeIfPresent(String.self, forKey: .region)
        identityType = try container.decodeIfPresent(String.self, forKey: .identityType)
        verifiedForSending = try container.decodeIfPresent(Bool.self, forKey: .verifiedForSending)
        dkimOrigin = try container.decodeIfPresent(String.self, forKey: .dkimOrigin)
        dkimStatus = try container.decodeIfPresent(String.self, forKey: .dkimStatus)
        dkimTokens = try container.decodeIfPresent([String].self, forKey: .dkimTokens) ?? []
        tokensUsed = try container.decodeIfPresent(Bool.self, forKey: .tokensUsed) ?? false
    }

    /// Writes absent values as null rather than omitting them.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lookup, forKey: .lookup)
        try container.encode(reason, forKey: .reason)
        try container.encode(region, forKey: .region)
        try container.encode(identityType, forKey: .identityType)
        try container.encode(verifiedForSending, forKey: .verifiedForSending)
        try container.encode(dkimOrigin, forKey: .dkimOrigin)
        try container.encode(dkimStatus, forKey: .dkimStatus)
        try container.encode(dkimTokens, forKey: .dkimTokens)
        try container.encode(tokensUsed, forKey: .tokensUsed)
    }
}
