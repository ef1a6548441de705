/// Checks a domain's DNS for sending through Amazon SES: SPF, Easy DKIM, DMARC, custom MAIL FROM.
public struct DomainChecker: Sendable {
    let lookup: any DNSLookup

    /// - Parameter lookup: usually a `DNSResolver`; tests may pass a fake.
    public init(lookup: any DNSLookup) {
        self.lookup = lookup
    }

    /// Runs every check for `domain` (the From domain).
    /// - Parameters:
    ///   - dkimTokens: the Easy DKIM tokens of the SES identity (`DkimAttributes.Tokens`).
    ///   - mailFromSubdomain: the custom MAIL FROM domain, either a label ("mail") or a full name
    ///     ("mail.example.com"); nil when SES uses its default amazonses.com MAIL FROM.
    ///   - region: the SES region, e.g. "eu-west-1" (for the MAIL FROM MX host).
    public func check(domain: String, dkimTokens: [String], mailFromSubdomain: String?, region: String) async -> DomainReport {
        let domain = DNSName.normalized(domain.trimmed)
        guard DNSName.isValidHostName(domain) else {
            return DomainReport(
                domain: domain,
                checks: [CheckResult(id: "domain", status: .fail, message: "'\(domain)' is not a valid domain name")])
        }
        var mailFrom: String?
        var mailFromProblem: CheckResult?
        if let sub = mailFromSubdomain.map({ DNSName.normalized($0.trimmed) }), !sub.isEmpty {
            let full = sub.hasSuffix("." + domain) ? sub : "\(sub).\(domain)"
            if DNSName.isValidHostName(full) {
                mailFrom = full
            } else {
                mailFromProblem = CheckResult(
                    id: "mailfrom.mx", status: .fail, message: "'\(full)' is not a valid MAIL FROM domain")
            }
        }
        let context = Context(domain: domain, mailFrom: mailFrom, region: region.trimmed.lowercased(), dkimTokens: dkimTokens)
        let run = DomainChecker(lookup: MemoizingLookup(lookup))
        async let spf = run.spfChecks(context)
        async let dkim = run.dkimChecks(context)
        async let dmarc = run.dmarcChecks(context)
        async let mailFromResults = run.mailFromChecks(context)
        var checks = await spf
        checks += await dkim
        checks += await dmarc
        checks += await mailFromResults
        if let mailFromProblem { checks.append(mailFromProblem) }
        return DomainReport(domain: domain, checks: checks)
    }

    /// The inputs every section needs.
    struct Context: Sendable {
        var domain: String
        /// Full custom MAIL FROM domain, or nil for SES's default.
        var mailFrom: String?
        var region: String
        var dkimTokens: [String]

        var mailFromMX: String { "feedback-smtp.\(region).amazonses.com" }
    }
}

/// How fixes are written: the record to publish, in zone-file order.
enum Fix {
    static func txt(_ name: String, _ value: String) -> String { "TXT \(name) \"\(value)\"" }
    static func cname(_ name: String, _ target: String) -> String { "CNAME \(name) \(target)" }
    static func mx(_ name: String, _ exchange: String) -> String { "MX \(name) 10 \(exchange)" }
    static let defaultSPF = "v=spf1 include:amazonses.com ~all"
}
