/// All checks of one sending domain. JSON: `{"domain", "checks": [{id,status,found,message,fix}], "summary"}`,
/// plus `"ses"` (`SESIdentityReport`) when the check considered SES.
public struct DomainReport: Sendable, Hashable, Codable {
    /// Counts per status.
    public struct Summary: Sendable, Hashable, Codable {
        public var pass: Int
        public var warn: Int
        public var fail: Int
        public var error: Int
    }

    public var domain: String
    public var checks: [CheckResult]
    /// SES's view of the identity (`GetEmailIdentity`); nil (no JSON member) when the caller did not consider SES.
    public var ses: SESIdentityReport?

    public init(domain: String, checks: [CheckResult], ses: SESIdentityReport? = nil) {
        self.domain = domain
        self.checks = checks
        self.ses = ses
    }

    public var summary: Summary {
        func count(_ status: CheckStatus) -> Int { checks.count { $0.status == status } }
        return Summary(pass: count(.pass), warn: count(.warn), fail: count(.fail), error: count(.error))
    }

    /// At least one check failed: something must be published or changed.
    public var hasFailures: Bool { checks.contains { $0.status == .fail } }
    /// At least one check could not be made (temporary DNS error): run again later.
    public var hasErrors: Bool { checks.contains { $0.status == .error } }

    /// The check with `id`, if made.
    public func check(_ id: String) -> CheckResult? { checks.first { $0.id == id } }

    private enum CodingKeys: String, CodingKey { case domain, checks, summary, ses }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        domain = try container.decode(String.self, forKey: .domain)
        checks = try container.decode([CheckResult].self, forKey: .checks)
        // Reports written before the member existed lack it.
        ses = try container.decodeIfPresent(SESIdentityReport.self, forKey: .ses)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(domain, forKey: .domain)
        try container.encode(checks, forKey: .checks)
        try container.encode(summary, forKey: .summary)
        // Absent rather than null when SES was not considered: reports of the checker alone keep their shape.
        try container.encodeIfPresent(ses, forKey: .ses)
    }
}
