import Logging
import SluiceDNS

/// Runs SPF/DKIM/DMARC/MAIL FROM checks with the configured DNS servers (CLI and API share it).
public struct DomainCheckService: Sendable {
    private let checker: DomainChecker
    private let defaultRegion: String

    public init(configuration: SluiceConfiguration, logger: Logger) throws(DNSError) {
        var servers: [DNSServerAddress] = []
        for server in configuration.strings("dns.servers") {
            servers.append(try DNSServerAddress(parsing: server))
        }
        let resolver = try DNSResolver(configuration: DNSResolverConfiguration(servers: servers), logger: logger)
        self.checker = DomainChecker(lookup: resolver)
        self.defaultRegion = configuration.string("ses.region")
    }

    /// Checks `domain`; `region` defaults to `ses.region` (it names the MAIL FROM MX host).
    public func check(domain: String, dkimTokens: [String], mailFrom: String?, region: String?) async -> DomainReport {
        await checker.check(domain: domain, dkimTokens: dkimTokens, mailFromSubdomain: mailFrom, region: region ?? defaultRegion)
    }
}
