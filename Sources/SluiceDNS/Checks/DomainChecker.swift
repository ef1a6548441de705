import SluiceCore

/// Checks a domain's DNS for sending through Amazon SES: SPF, Easy DKIM, DMARC, custom MAIL FROM.
public struct DomainChecker: Sendable {
    let lookup: any DNSLookup
    /// Organisational domains for the DMARC fallback lookup, alignment and external report destinations.
    let organisational: OrganizationalDomain

    /// - Parameters:
    ///   - lookup: usually a `DNSResolver`; tests may pass a fake.
    ///   - organisationalDomain: the Public Suffix List to use, or the built-in approximation.
    public init(lookup: any DNSLookup, organisationalDomain: OrganizationalDomain = .approximate) {
        self.lookup = lookup
        self.organisational = organisationalDomain
    }

    /// Runs every check for `domain` (the From domain).
    /// - Parameters:
    ///   - dkimTokens: the Easy DKIM tokens of the SES identity (`DkimAttributes.Tokens`).
    ///   - mailFromSubdomain: the custom MAIL FROM domain, either a label ("mail") or a full name under
    ///     `domain` ("mail.example.com"); nil when SES uses its default amazonses.com MAIL FROM.
    ///   - region: the SES region, e.g. "eu-west-1" (for the MAIL FROM MX host).
    ///   - noTokensNote: with no tokens, why there are none (e.g. what SES said); replaces the default advice
    ///     in the `dkim` warning.
    public func check(
        domain: String, dkimTokens: [String], mailFromSubdomain: String?, region: String, noTokensNote: String? = nil
    ) async -> DomainReport {
        let domain = Self.checkedName(domain)
        guard DNSName.isValidHostName(domain) else {
            return DomainReport(
                domain: domain,
                checks: [CheckResult(id: "domain", status: .fail, message: "'\(domain)' is not a valid domain name")])
        }
        var mailFrom: String?
        var mailFromProblem: CheckResult?
        if let given = mailFromSubdomain?.trimmed, !given.isEmpty {
            switch Self.mailFromDomain(given, under: domain) {
            case .success(let full): mailFrom = full
            case .failure(let problem): mailFromProblem = CheckResult(id: "mailfrom.mx", status: .fail, message: problem.message)
            }
        }
        let context = Context(
            domain: domain, mailFrom: mailFrom, region: region.trimmed.lowercased(), dkimTokens: dkimTokens,
            noTokensNote: noTokensNote)
        let run = DomainChecker(lookup: MemoizingLookup(lookup), organisationalDomain: organisational)
        async let spf = run.spfChecks(context)
        async let dkim = run.dkimChecks(context)
        async let dmarc = run.dmarcChecks(context)
        async let mailFromResults = run.mailFromChecks(context)
        var checks = await spf
        let dkimResults = await dkim
        checks += dkimResults
        let dmarcResults = await dmarc
        checks += dmarcResults.checks
        let mailFromChecks = await mailFromResults
        checks.append(
            run.alignmentCheck(
                context, basis: dmarcResults.alignment, dkim: DKIMAlignment(tokens: dkimTokens, results: dkimResults),
                mailFrom: MailFromState(mailFrom: context.mailFrom, results: mailFromChecks)))
        checks += mailFromChecks
        if let mailFromProblem { checks.append(mailFromProblem) }
        return DomainReport(domain: domain, checks: checks)
    }

    /// The name `domain` is checked under: trimmed, lower-cased, without a trailing dot, IDN as its A-label
    /// (the name DNS holds, by the address code's IDNA conversion). Not validated: see `isCheckable`.
    public static func checkedName(_ domain: String) -> String {
        let given = domain.trimmed
        return DomainNameASCII.convert(given).map(DNSName.normalized) ?? DNSName.normalized(given)
    }

    /// Whether `check` would look `domain` up at all (else it reports only a `domain` failure).
    public static func isCheckable(_ domain: String) -> Bool { DNSName.isValidHostName(checkedName(domain)) }

    /// Why a MAIL FROM cannot be used with the domain.
    struct MailFromProblem: Error, Sendable, Equatable {
        var message: String
    }

    /// The full MAIL FROM domain: a single label ("mail") goes under `domain`; a dotted name must already be
    /// a subdomain of `domain` (SES requires it, and DMARC's SPF alignment depends on it).
    static func mailFromDomain(_ given: String, under domain: String) -> Result<String, MailFromProblem> {
        let name = DomainNameASCII.convert(given).map(DNSName.normalized) ?? DNSName.normalized(given)
        if name == domain {
            return .failure(MailFromProblem(message: "the MAIL FROM domain must be a subdomain of \(domain) (e.g. mail.\(domain)), not \(domain) itself"))
        }
        let full = name.contains(".") ? name : "\(name).\(domain)"
        guard full.hasSuffix("." + domain) else {
            return .failure(MailFromProblem(message: "the MAIL FROM domain \(name) is not a subdomain of \(domain): give a label (mail) or a name under \(domain) (mail.\(domain))"))
        }
        guard DNSName.isValidHostName(full) else {
            return .failure(MailFromProblem(message: "'\(full)' is not a valid MAIL FROM domain"))
        }
        return .success(full)
    }

    /// The inputs every section needs.
    struct Context: Sendable {
        var domain: String
        /// Full custom MAIL FROM domain, or nil for SES's default.
        var mailFrom: String?
        var region: String
        var dkimTokens: [String]
        /// Replaces the advice of the `dkim` warning when `dkimTokens` is empty.
        var noTokensNote: String? = nil

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
