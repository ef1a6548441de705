import Foundation
import Testing
import SluiceTestSupport
@testable import SluiceApp

/// `sluice dns check` run as the built binary: SES lookup, `--no-ses`, and exit codes decided by DNS alone.
@Suite(.serialized)
struct DNSCLITests {
    static func run(_ arguments: [String], dns: ZoneDNSServer, sesEndpoint: String) async throws -> ChildProcessResult {
        try #require(FileManager.default.isExecutableFile(atPath: sluiceExecutable.path), "build the sluice binary first")
        let home = try TestDirectory(prefix: "sluice-dns-cli")
        return try await runChildProcess(sluiceExecutable, ["dns", "check"] + arguments, environment: [
            "PATH": "/usr/bin:/bin", "HOME": home.path, "SLUICE_LOG_LEVEL": "error",
            "SLUICE_DNS_SERVERS": dns.serverList, "SLUICE_SES_TRANSPORT": "ses", "SLUICE_SES_ENDPOINT": sesEndpoint,
            "SLUICE_SES_REGION": "us-east-1", "SLUICE_SES_REQUEST_TIMEOUT_SECONDS": "2",
            "AWS_ACCESS_KEY_ID": "AKIDCLITEST", "AWS_SECRET_ACCESS_KEY": "cli-test-secret", "AWS_EC2_METADATA_DISABLED": "true",
        ])
    }

    @Test func tokensComeFromSESAndAMissingCNAMEExitsTwo() async throws {
        let tokens = DomainCheckServiceTests.tokens
        let dns = try ZoneDNSServer(zone: ZoneDNSServer.goodDomain("cli.test", tokens: tokens)
            + "\n" + ZoneDNSServer.goodDomain("half.test", tokens: [tokens[0]]))
        defer { dns.stop() }
        let ses = try TestHTTPServer { _ in DomainCheckServiceTests.easyDKIMAnswer() }
        defer { ses.stop() }

        let good = try await Self.run(["cli.test"], dns: dns, sesEndpoint: ses.baseURL)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("PASS  dkim.\(tokens[1])"))
        #expect(good.stdout.contains("PASS  ses.identity"))

        let half = try await Self.run(["half.test", "--json"], dns: dns, sesEndpoint: ses.baseURL)
        #expect(half.status == 2, "\(half.stdout)\(half.stderr)")
        #expect(half.stdout.contains(#""tokens_used" : true"#))
        #expect(ses.requests.count == 2)
    }

    @Test func noSESAndGivenTokensDoNotAskSES() async throws {
        let dns = try ZoneDNSServer(zone: ZoneDNSServer.goodDomain("quiet.test", tokens: ["tok1"]))
        defer { dns.stop() }
        let ses = try TestHTTPServer { _ in DomainCheckServiceTests.easyDKIMAnswer() }
        defer { ses.stop() }
        let skipped = try await Self.run(["quiet.test", "--no-ses"], dns: dns, sesEndpoint: ses.baseURL)
        #expect(skipped.status == 0, "\(skipped.stdout)\(skipped.stderr)")
        #expect(skipped.stdout.contains("WARN  dkim  no Easy DKIM tokens given"))
        let given = try await Self.run(["quiet.test", "--dkim-token", "tok1", "--json"], dns: dns, sesEndpoint: ses.baseURL)
        #expect(given.status == 0)
        #expect(given.stdout.contains(#""reason" : "DKIM tokens were given""#))
        #expect(ses.requests.isEmpty)
    }

    /// SES refusing the connection costs a warning, not the exit code.
    @Test func unreachableSESIsAWarningAndExitsZero() async throws {
        let dns = try ZoneDNSServer(zone: ZoneDNSServer.goodDomain("down.test", tokens: []))
        defer { dns.stop() }
        let result = try await Self.run(["down.test"], dns: dns, sesEndpoint: "http://127.0.0.1:\(try MotoServer.freePort())")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("WARN  ses.identity  SES GetEmailIdentity failed (no answer from SES"))
        #expect(!result.stdout.contains("cli-test-secret"))
    }
}
