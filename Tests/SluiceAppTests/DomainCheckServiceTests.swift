import Foundation
import Glibc
import Logging
import SluiceAWS
import SluiceCore
import SluiceDNS
import SluiceHTTP
import SluiceTestSupport
import Testing
@testable import SluiceApp

/// `DomainCheckService` end to end: the DNS stand-in on 127.0.0.1 serves the records, SES is moto, a scripted
/// stand-in, or an endpoint that refuses or never answers.
@Suite(.serialized)
struct DomainCheckServiceTests {
    static let environment = SendTestApp.staticKeys.merging(
        ["AWS_EC2_METADATA_DISABLED": "true", "HOME": NSTemporaryDirectory() + "sluice-dns-home-none"]) { $1 }

    /// Real-shaped Easy DKIM tokens (SES makes 32 base32 characters).
    static let tokens = ["4p4ve6dnbh2bmyxkyd3r7vbxtj6rfpxa", "kqf2cr33eirbmsnuwdtjnlouyfxv2xjc", "cbvi5n6hdbjyvaqu3luwfxnpwrvsleiw"]

    static func service(
        dns: ZoneDNSServer, sesEndpoint: String?, transport: String = "ses", timeout: Double = 5,
        environment: [String: String] = DomainCheckServiceTests.environment
    ) throws -> DomainCheckService {
        var configuration = SluiceConfiguration.defaults
        try configuration.set("dns.servers", .array([.string(dns.serverList)]))
        try configuration.set("ses.transport", .string(transport))
        try configuration.set("ses.region", .string("us-east-1"))
        try configuration.set("ses.request_timeout_seconds", .float(timeout))
        if let sesEndpoint { try configuration.set("ses.endpoint", .string(sesEndpoint)) }
        return try DomainCheckService(configuration: configuration, logger: Logger(label: "sluice.dns.tests"), environment: environment)
    }

    /// A scripted SES answering every GetEmailIdentity with `response`.
    static func standIn(_ response: TestHTTPServer.Response) throws -> TestHTTPServer {
        try TestHTTPServer { _ in response }
    }

    static func easyDKIMAnswer(tokens: [String] = DomainCheckServiceTests.tokens, status: String = "SUCCESS") -> TestHTTPServer.Response {
        let list = tokens.map { "\"\($0)\"" }.joined(separator: ",")
        return .json(#"{"IdentityType":"DOMAIN","VerifiedForSendingStatus":true,"DkimAttributes":{"SigningEnabled":true,"Status":"\#(status)","Tokens":[\#(list)],"SigningAttributesOrigin":"AWS_SES"}}"#)
    }

    /// The DNS-only part of a report: what decides the exit code.
    static func dnsChecks(_ report: DomainReport) -> [CheckResult] {
        report.checks.filter { !$0.id.hasPrefix("ses.") }
    }

    @Test func tokensFromSESAreCheckedInDNS() async throws {
        let dns = try ZoneDNSServer(zone: ZoneDNSServer.goodDomain("tokens.test", tokens: Self.tokens))
        defer { dns.stop() }
        let ses = try Self.standIn(Self.easyDKIMAnswer())
        defer { ses.stop() }
        let report = try await Self.service(dns: dns, sesEndpoint: ses.baseURL)
            .check(domain: "Tokens.Test", dkimTokens: [], mailFrom: nil, region: nil)

        #expect(ses.requests.count == 1)
        #expect(ses.requests.first?.target == "/v2/email/identities/tokens.test")
        #expect(ses.requests.first?.header("Authorization")?.contains("Credential=AKIDSENDTEST/") == true)
        for token in Self.tokens {
            #expect(report.check("dkim.\(token)")?.status == .pass, "\(report.renderText())")
        }
        #expect(report.check("dkim") == nil)
        #expect(report.check("dmarc.alignment")?.message.contains("DKIM d=tokens.test aligned") == true)
        #expect(report.check("ses.identity")?.status == .pass)
        #expect(report.check("ses.dkim")?.status == .pass)
        let view = try #require(report.ses)
        #expect(view.lookup == .ok)
        #expect(view.tokensUsed)
        #expect(view.dkimTokens == Self.tokens)
        #expect(view.region == "us-east-1")
        #expect(!report.hasFailures && !report.hasErrors)
        let json = try report.renderJSON()
        #expect(json.contains(#""tokens_used" : true"#))
        #expect(json.contains(#""dkim_status" : "SUCCESS""#))
    }

    /// A token SES returns but DNS lacks is a DNS failure like a given one: exit code 2 stays DNS's verdict.
    @Test func missingCNAMEForAnSESTokenFailsTheDNSCheck() async throws {
        let dns = try ZoneDNSServer(zone: ZoneDNSServer.goodDomain("partial.test", tokens: Array(Self.tokens.prefix(2))))
        defer { dns.stop() }
        let ses = try Self.standIn(Self.easyDKIMAnswer(status: "PENDING"))
        defer { ses.stop() }
        let report = try await Self.service(dns: dns, sesEndpoint: ses.baseURL)
            .check(domain: "partial.test", dkimTokens: [], mailFrom: nil, region: nil)
        #expect(report.check("dkim.\(Self.tokens[2])")?.status == .fail)
        #expect(report.check("dkim.\(Self.tokens[2])")?.fix == "CNAME \(Self.tokens[2])._domainkey.partial.test \(Self.tokens[2]).dkim.amazonses.com")
        #expect(report.check("ses.dkim")?.status == .warn)
        #expect(report.hasFailures)
    }

    @Test func motoIdentityIsReportedAndItsMissingTokensExplained() async throws {
        let moto = try await MotoServer.shared()
        let domain = "moto-\(UUID().uuidString.prefix(8).lowercased()).test"
        let client = try #require(await SESClientFactory.make(
            configuration: Self.gate(endpoint: moto.baseURL), environment: Self.environment, logger: Logger(label: "t")))
        let body = try JSONSerialization.data(withJSONObject: ["EmailIdentity": domain])
        _ = try await client.perform(operation: "CreateEmailIdentity", method: "POST", path: "/v2/email/identities", body: Array(body))
        let dns = try ZoneDNSServer(zone: ZoneDNSServer.goodDomain(domain, tokens: []))
        defer { dns.stop() }

        let report = try await Self.service(dns: dns, sesEndpoint: moto.baseURL).check(domain: domain, dkimTokens: [], mailFrom: nil, region: nil)
        let view = try #require(report.ses)
        // What moto 5 holds for a new domain identity: Easy DKIM, not started, unverified, no tokens yet.
        #expect(view.lookup == .ok)
        #expect(view.identityType == "DOMAIN")
        #expect(view.verifiedForSending == false)
        #expect(view.dkimOrigin == "AWS_SES")
        #expect(view.dkimStatus == "NOT_STARTED")
        #expect(view.dkimTokens.isEmpty && !view.tokensUsed)
        #expect(report.check("ses.identity")?.status == .warn)
        #expect(report.check("ses.dkim")?.message.contains("NOT_STARTED") == true)
        #expect(report.check("dkim")?.status == .warn)
        #expect(report.check("dkim")?.message.contains("SES returned no Easy DKIM tokens") == true)
        #expect(!report.hasFailures && !report.hasErrors)
    }

    @Test func motoUnknownDomainWarnsThatItIsNoIdentity() async throws {
        let moto = try await MotoServer.shared()
        let dns = try ZoneDNSServer(zone: ZoneDNSServer.goodDomain("unknown-identity.test", tokens: []))
        defer { dns.stop() }
        let report = try await Self.service(dns: dns, sesEndpoint: moto.baseURL)
            .check(domain: "unknown-identity.test", dkimTokens: [], mailFrom: nil, region: nil)
        #expect(report.ses?.lookup == .notFound)
        #expect(report.check("ses.identity")?.status == .warn)
        #expect(report.check("ses.identity")?.message.contains("not an SES identity in us-east-1") == true)
        #expect(!report.hasFailures && !report.hasErrors)
    }

    /// Nothing listens on the port: the lookup fails at once, the report says so, and the DNS part is what
    /// it is without SES.
    @Test func refusedSESConnectionIsAWarningAndTheDNSResultStands() async throws {
        let dns = try ZoneDNSServer(zone: ZoneDNSServer.goodDomain("refused.test", tokens: []))
        defer { dns.stop() }
        let service = try Self.service(dns: dns, sesEndpoint: "http://127.0.0.1:\(try MotoServer.freePort())")
        let report = await service.check(domain: "refused.test", dkimTokens: [], mailFrom: nil, region: nil)
        #expect(report.ses?.lookup == .failed)
        #expect(report.ses?.reason?.contains("no answer from SES") == true)
        // Ended by the refusal itself, not by waiting out the request timeout.
        #expect(report.ses?.reason?.contains("connect failed") == true, "\(report.ses?.reason ?? "no reason")")
        let warning = try #require(report.check("ses.identity"))
        #expect(warning.status == .warn)
        #expect(warning.message.contains("GetEmailIdentity failed"))
        #expect(!warning.message.contains("send-test-secret"))
        let withoutSES = await service.check(domain: "refused.test", dkimTokens: [], mailFrom: nil, region: nil, useSES: false)
        #expect(Self.dnsChecks(report).map(\.id) == Self.dnsChecks(withoutSES).map(\.id))
        #expect(Self.dnsChecks(report).map(\.status) == Self.dnsChecks(withoutSES).map(\.status))
        #expect(report.hasFailures == withoutSES.hasFailures && report.hasErrors == withoutSES.hasErrors)
    }

    /// An SES that accepts the connection and never answers costs at most the request timeout.
    @Test func silentSESIsGivenUpWithinTheTimeout() async throws {
        let dns = try ZoneDNSServer(zone: ZoneDNSServer.goodDomain("silent.test", tokens: []))
        defer { dns.stop() }
        // Listening but never accepting: the kernel completes the handshake, nobody ever answers.
        let listener = try LoopbackListener.open(backlog: 8)
        defer { close(listener.fd) }
        let service = try Self.service(dns: dns, sesEndpoint: "http://127.0.0.1:\(listener.port)", timeout: 1)
        let clock = ContinuousClock()
        let start = clock.now
        let report = await service.check(domain: "silent.test", dkimTokens: [], mailFrom: nil, region: nil)
        let elapsed = clock.now - start
        // Not a speed check: nothing else ends a call to a silent peer, so this only catches a timeout that
        // did not fire (far above the 1 s request timeout and its retries).
        #expect(elapsed < .seconds(60), "took \(elapsed)")
        #expect(report.ses?.lookup == .failed)
        #expect(report.check("ses.identity")?.status == .warn)
        #expect(report.check("spf.record")?.status == .pass)
    }

    @Test(arguments: [
        (TestHTTPServer.Response.json(#"{"message":"User: arn:aws:iam::123456789012:user/ops is not authorized"}"#, status: 403, headers: [("x-amzn-ErrorType", "AccessDeniedException")]), "HTTP 403 AccessDeniedException"),
        (TestHTTPServer.Response.json(#"{"message":"Rate exceeded"}"#, status: 429, headers: [("x-amzn-ErrorType", "TooManyRequestsException")]), "throttled"),
        (TestHTTPServer.Response.json(#"{"message":"oops"}"#, status: 500), "HTTP 500"),
        (TestHTTPServer.Response.json("<html>not SES</html>"), "unusable answer"),
    ])
    func sesRefusalsAndGarbageAreWarnings(response: TestHTTPServer.Response, expected: String) async throws {
        let dns = try ZoneDNSServer(zone: ZoneDNSServer.goodDomain("refusal.test", tokens: []))
        defer { dns.stop() }
        let ses = try Self.standIn(response)
        defer { ses.stop() }
        let report = try await Self.service(dns: dns, sesEndpoint: ses.baseURL)
            .check(domain: "refusal.test", dkimTokens: [], mailFrom: nil, region: nil)
        #expect(ses.requests.count == 1, "one attempt, no retry")
        #expect(report.ses?.lookup == .failed)
        let warning = try #require(report.check("ses.identity"))
        #expect(warning.status == .warn)
        #expect(warning.message.contains(expected))
        #expect(!(try report.renderJSON()).contains("123456789012"))
        #expect(!report.hasFailures && !report.hasErrors)
    }

    @Test func explicitTokensWinAndSESIsNotAsked() async throws {
        let dns = try ZoneDNSServer(zone: ZoneDNSServer.goodDomain("given.test", tokens: ["tok1"]))
        defer { dns.stop() }
        let ses = try Self.standIn(Self.easyDKIMAnswer())
        defer { ses.stop() }
        let report = try await Self.service(dns: dns, sesEndpoint: ses.baseURL)
            .check(domain: "given.test", dkimTokens: ["tok1"], mailFrom: nil, region: nil)
        #expect(ses.requests.isEmpty)
        #expect(report.check("dkim.tok1")?.status == .pass)
        #expect(report.checks.allSatisfy { !$0.id.hasPrefix("ses.") })
        #expect(report.ses == SESIdentityReport.skipped("DKIM tokens were given"))
    }

    @Test func noSESSkipsTheLookup() async throws {
        let dns = try ZoneDNSServer(zone: ZoneDNSServer.goodDomain("nolookup.test", tokens: []))
        defer { dns.stop() }
        let ses = try Self.standIn(Self.easyDKIMAnswer())
        defer { ses.stop() }
        let report = try await Self.service(dns: dns, sesEndpoint: ses.baseURL)
            .check(domain: "nolookup.test", dkimTokens: [], mailFrom: nil, region: nil, useSES: false)
        #expect(ses.requests.isEmpty)
        #expect(report.ses?.lookup == .skipped)
        // The warning as it was before SES lookups existed.
        #expect(report.check("dkim")?.message == "no Easy DKIM tokens given: DKIM not checked (get them from SES GetEmailIdentity DkimAttributes.Tokens)")
    }

    /// Same rule as the send gate: outbox never talks to SES; auto only with credentials.
    @Test(arguments: [("outbox", true), ("auto", false)])
    func sesThatTheGateWouldNotUseIsNotAsked(transport: String, withKeys: Bool) async throws {
        let dns = try ZoneDNSServer(zone: ZoneDNSServer.goodDomain("outbox.test", tokens: []))
        defer { dns.stop() }
        let ses = try Self.standIn(Self.easyDKIMAnswer())
        defer { ses.stop() }
        let environment = withKeys ? Self.environment : ["AWS_EC2_METADATA_DISABLED": "true", "HOME": NSTemporaryDirectory() + "sluice-dns-home-none"]
        let report = try await Self.service(dns: dns, sesEndpoint: ses.baseURL, transport: transport, environment: environment)
            .check(domain: "outbox.test", dkimTokens: [], mailFrom: nil, region: nil)
        #expect(ses.requests.isEmpty)
        #expect(report.ses?.lookup == .skipped)
        #expect(report.ses?.reason?.contains("not configured") == true)
        #expect(report.checks.allSatisfy { !$0.id.hasPrefix("ses.") })
    }

    @Test func regionOverrideIsTheRegionAskedAndAMadeUpOneIsRefused() async throws {
        let dns = try ZoneDNSServer(zone: ZoneDNSServer.goodDomain("region.test", tokens: Self.tokens))
        defer { dns.stop() }
        let ses = try Self.standIn(Self.easyDKIMAnswer())
        defer { ses.stop() }
        let service = try Self.service(dns: dns, sesEndpoint: ses.baseURL)
        let report = await service.check(domain: "region.test", dkimTokens: [], mailFrom: nil, region: "eu-west-1")
        #expect(report.ses?.region == "eu-west-1")
        #expect(ses.requests.first?.header("Authorization")?.contains("/eu-west-1/ses/aws4_request") == true)
        let madeUp = await service.check(domain: "region.test", dkimTokens: [], mailFrom: nil, region: "evil.example.com/x")
        #expect(ses.requests.count == 1)
        #expect(madeUp.ses?.lookup == .skipped)
    }

    static func gate(endpoint: String) -> SendGateConfiguration {
        var gate = SendGateConfiguration(configuration: .defaults)
        gate.transport = "ses"
        gate.region = "us-east-1"
        gate.endpoint = URL(string: endpoint)
        gate.requestTimeout = 5
        return gate
    }
}
