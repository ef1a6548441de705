import Logging
import SluiceDNS

/// Runs SPF/DKIM/DMARC/MAIL FROM checks with the configured DNS servers (CLI and API share it). Without
/// DKIM tokens it asks SES (`GetEmailIdentity`) for them when SES is usable, as the send gate would use it.
public struct DomainCheckService: Sendable {
    private let checker: DomainChecker
    private let defaultRegion: String
    private let ses: SESIdentityLookup

    /// - Parameter environment: what the AWS credential chain reads (the process environment in the executable).
    public init(configuration: SluiceConfiguration, logger: Logger, environment: [String: String]) throws(DNSError) {
        var servers: [DNSServerAddress] = []
        for server in configuration.strings("dns.servers") {
            servers.append(try DNSServerAddress(parsing: server))
        }
        let resolver = try DNSResolver(configuration: DNSResolverConfiguration(servers: servers), logger: logger)
        let organisational = PublicSuffixListFile.organisationalDomain(path: configuration.string("dns.public_suffix_list"), logger: logger)
        self.checker = DomainChecker(lookup: resolver, organisationalDomain: organisational)
        self.defaultRegion = configuration.string("ses.region")
        self.ses = SESIdentityLookup(configuration: configuration, environment: environment, logger: logger)
    }

    /// Checks `domain`; `region` defaults to `ses.region` (it names the MAIL FROM MX host and the SES region asked).
    /// - Parameter useSES: false skips the SES lookup (`--no-ses`, `ses=false`); given tokens skip it too.
    public func check(domain: String, dkimTokens: [String], mailFrom: String?, region: String?, useSES: Bool = true) async -> DomainReport {
        let region = region ?? defaultRegion
        let outcome: SESIdentityFindings.Outcome
        if !dkimTokens.isEmpty {
            // Given tokens always win: SES is not asked, so a slow or failing SES cannot touch this check.
            outcome = .skipped("DKIM tokens were given")
        } else if !useSES {
            outcome = .skipped("disabled by the caller (--no-ses or ses=false)")
        } else if !DomainChecker.isCheckable(domain) {
            outcome = .skipped("not a valid domain name")
        } else {
            outcome = await ses.lookup(domain: DomainChecker.checkedName(domain), region: region.lowercased())
        }
        let findings = SESIdentityFindings(domain: DomainChecker.checkedName(domain), region: region, outcome: outcome)
        var report = await checker.check(
            domain: domain, dkimTokens: dkimTokens.isEmpty ? findings.tokens : dkimTokens, mailFromSubdomain: mailFrom,
            region: region, noTokensNote: findings.noTokensNote)
        report.checks += findings.checks
        report.ses = findings.report
        return report
    }
}
