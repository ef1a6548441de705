import Foundation
import Logging
import Synchronization
import Testing

@testable import SluiceDNS

/// DomainChecker end to end: the resolver against Support/zones.zone over UDP/TCP on 127.0.0.1.
@Suite(.dnsServer)
struct DomainCheckerTests {
    static let tokens = ["tok1", "tok2", "tok3"]

    func check(
        _ domain: String, tokens: [String] = Self.tokens, mailFrom: String? = "mail", timeout: Double = 2
    ) async throws -> DomainReport {
        let checker = DomainChecker(lookup: try TestDNSServer.shared().resolver(timeout: timeout, attempts: 2))
        return await checker.check(domain: domain, dkimTokens: tokens, mailFromSubdomain: mailFrom, region: "us-east-1")
    }

    @Test func passesAGoodDomain() async throws {
        let report = try await check("good.test")
        #expect(report.checks.map(\.id) == [
            "spf.record", "spf.lookup_limit", "spf.all", "spf.ses_authorized", "dkim.tok1", "dkim.tok2", "dkim.tok3",
            "dmarc.record", "dmarc.policy", "dmarc.rua", "dmarc.alignment", "mailfrom.mx", "mailfrom.spf",
        ])
        for check in report.checks {
            #expect(check.status == .pass, "\(check.id): \(check.message)")
            #expect(check.fix == nil, "\(check.id)")
        }
        #expect(!report.hasFailures && !report.hasErrors)
        #expect(report.check("spf.lookup_limit")?.message == "DNS lookups 1 of 10, void lookups 0 of 2")
    }

    @Test func readsEverythingOverTCPWhenUDPIsTruncated() async throws {
        let report = try await check("tcp.test", tokens: ["tok1"])
        #expect(!report.hasFailures && !report.hasErrors, "\(report.renderText())")
        #expect(report.check("spf.record")?.found == "v=spf1 include:amazonses.com ip4:192.0.2.0/24 ~all")
    }

    /// (domain, check id, status, fix) for one defect per zone.
    static let verdicts: [(domain: String, id: String, status: CheckStatus, fix: String?)] = [
        ("nospf.test", "spf.record", .fail, #"TXT nospf.test "v=spf1 include:amazonses.com ~all""#),
        ("dupspf.test", "spf.record", .fail, #"TXT dupspf.test "v=spf1 include:amazonses.com ip4:192.0.2.1 ~all""#),
        ("plusall.test", "spf.all", .fail, #"TXT plusall.test "v=spf1 include:amazonses.com ~all""#),
        ("lookups.test", "spf.lookup_limit", .fail,
         "remove unused include:/a/mx/ptr/exists terms or replace them with ip4:/ip6: ranges until at most 10 lookups remain"),
        ("limit10.test", "spf.lookup_limit", .pass, nil),
        ("voids.test", "spf.lookup_limit", .fail, "remove the terms that point at names without records"),
        ("badsyntax.test", "spf.record", .fail, #"TXT badsyntax.test "v=spf1 include:amazonses.com ~all""#),
        ("nodkim.test", "dkim.tok1", .fail, "CNAME tok1._domainkey.nodkim.test tok1.dkim.amazonses.com"),
        ("nodkim.test", "dkim.tok2", .pass, nil),
        ("wrongdkim.test", "dkim.tok1", .fail, "CNAME tok1._domainkey.wrongdkim.test tok1.dkim.amazonses.com"),
        ("wrongdkim.test", "dkim.tok2", .fail, "CNAME tok2._domainkey.wrongdkim.test tok2.dkim.amazonses.com"),
        ("nodmarc.test", "dmarc.record", .fail, #"TXT _dmarc.nodmarc.test "v=DMARC1; p=none; rua=mailto:dmarc-reports@nodmarc.test""#),
        ("pnone.test", "dmarc.policy", .warn, #"TXT _dmarc.pnone.test "v=DMARC1; p=quarantine""#),
        ("pnone.test", "dmarc.rua", .warn, #"TXT _dmarc.pnone.test "v=DMARC1; p=none; rua=mailto:dmarc-reports@pnone.test""#),
        ("pnone.test", "dmarc.record", .pass, nil),
        ("baddmarc.test", "dmarc.record", .fail, #"TXT _dmarc.baddmarc.test "v=DMARC1; p=reject; rua=mailto:dmarc@baddmarc.test""#),
        ("shop.inherit.test", "dmarc.record", .pass, nil),
        ("shop.inherit.test", "dmarc.policy", .pass, nil),
        ("badmx.test", "mailfrom.mx", .fail, "MX mail.badmx.test 10 feedback-smtp.us-east-1.amazonses.com"),
        ("badmx.test", "mailfrom.spf", .fail, #"TXT mail.badmx.test "v=spf1 include:amazonses.com ~all""#),
        ("badmx.test", "spf.ses_authorized", .fail, #"TXT mail.badmx.test "v=spf1 include:amazonses.com ~all""#),
    ]

    @Test(arguments: 0..<verdicts.count)
    func reportsTheExpectedVerdictAndFix(index: Int) async throws {
        let expected = Self.verdicts[index]
        let report = try await check(expected.domain)
        let check = try #require(report.check(expected.id), "\(expected.domain): no \(expected.id)")
        #expect(check.status == expected.status, "\(expected.domain) \(expected.id): \(check.message)")
        #expect(check.fix == expected.fix, "\(expected.domain) \(expected.id)")
        if expected.status == .fail { #expect(report.hasFailures) }
    }

    @Test func namesWhatIsWrong() async throws {
        let syntax = try await check("badsyntax.test")
        #expect(syntax.check("spf.record")?.message.contains("'ip4:192.0.2.300'") == true)
        let dkim = try await check("wrongdkim.test")
        #expect(dkim.check("dkim.tok1")?.found == "tok1.dkim.example.net")
        #expect(dkim.check("dkim.tok1")?.message.contains("points at tok1.dkim.example.net") == true)
        #expect(dkim.check("dkim.tok2")?.message.contains("appended the zone") == true)
        let dmarc = try await check("baddmarc.test")
        #expect(dmarc.check("dmarc.record")?.message.contains("tag rua") == true)
        let lookups = try await check("lookups.test")
        #expect(lookups.check("spf.lookup_limit")?.message.contains("n10.lookups.test") == true)
        let inherit = try await check("shop.inherit.test")
        #expect(inherit.check("dmarc.record")?.message.contains("inherited") == true)
        #expect(inherit.check("dmarc.policy")?.message == "sp=quarantine")
    }

    @Test func warnsThatDefaultMailFromIsNotAligned() async throws {
        let report = try await check("good.test", mailFrom: nil)
        #expect(report.check("spf.ses_authorized")?.status == .warn)
        #expect(report.check("dmarc.alignment")?.status == .warn)
        #expect(report.check("dmarc.alignment")?.message.contains("amazonses.com not aligned") == true)
        #expect(report.check("mailfrom.mx") == nil)
        // Without tokens DKIM alignment is unknown, not absent: a warning, not a failure.
        let noDKIM = try await check("good.test", tokens: [], mailFrom: nil)
        #expect(noDKIM.check("dmarc.alignment")?.status == .warn)
        #expect(noDKIM.check("dmarc.alignment")?.message.contains("DKIM not checked") == true)
    }

    @Test func reportsTimeoutsAsErrorsNotVerdicts() async throws {
        let report = try await check("silent.slow.test", timeout: 0.3)
        for id in ["spf.record", "spf.ses_authorized", "dkim.tok1", "dmarc.record", "dmarc.alignment", "mailfrom.mx", "mailfrom.spf"] {
            #expect(report.check(id)?.status == .error, "\(id): \(report.check(id)?.message ?? "missing")")
        }
        #expect(!report.hasFailures)
        #expect(report.hasErrors)
        #expect(!report.checks.contains { $0.status == .pass })
    }

    @Test func rejectsAnInvalidRegion() async throws {
        var dns = FakeLookup()
        dns.add("mail.example.com", .mx, .mx(preference: 10, exchange: "feedback-smtp.us-east-1.amazonses.com"))
        let checker = DomainChecker(lookup: dns)
        let bad = await checker.check(domain: "example.com", dkimTokens: [], mailFromSubdomain: "mail.example.com", region: "useast1")
        #expect(bad.check("mailfrom.mx")?.status == .fail)
        #expect(bad.check("mailfrom.mx")?.message.contains("not an AWS region") == true)
        let good = await checker.check(domain: "example.com", dkimTokens: [], mailFromSubdomain: "mail.example.com", region: "us-east-1")
        #expect(good.check("mailfrom.mx")?.status == .pass)
    }

    @Test func rejectsAnInvalidDomain() async throws {
        let checker = DomainChecker(lookup: FakeLookup())
        let report = await checker.check(domain: "not a domain", dkimTokens: [], mailFromSubdomain: nil, region: "us-east-1")
        #expect(report.checks.map(\.id) == ["domain"])
        #expect(report.hasFailures)
    }
}

/// Counts lookups per name, to show that one check run asks each name once.
final class CountingLookup: DNSLookup, Sendable {
    let base: FakeLookup
    let counts = Mutex<[String: Int]>([:])

    init(_ base: FakeLookup) { self.base = base }

    func lookup(_ name: String, _ type: DNSRecordType) async throws(DNSError) -> DNSLookupResult {
        counts.withLock { $0["\(name) \(type)", default: 0] += 1 }
        return try await base.lookup(name, type)
    }
}

struct DomainCheckerMemoTests {
    @Test func asksEachNameOncePerRun() async throws {
        var dns = FakeLookup()
        dns.txt("example.com", "v=spf1 include:amazonses.com ~all")
        dns.txt("amazonses.com", "v=spf1 -all")
        dns.txt("mail.example.com", "v=spf1 include:amazonses.com ~all")
        dns.add("mail.example.com", .mx, .mx(preference: 10, exchange: "feedback-smtp.us-east-1.amazonses.com"))
        let counting = CountingLookup(dns)
        let report = await DomainChecker(lookup: counting).check(
            domain: "example.com", dkimTokens: [], mailFromSubdomain: "mail", region: "us-east-1")
        #expect(report.check("mailfrom.spf")?.status == .pass)
        let counts = counting.counts.withLock { $0 }
        #expect(counts["amazonses.com TXT"] == 1)
        #expect(counts["mail.example.com TXT"] == 1)
        #expect(counts.values.allSatisfy { $0 == 1 }, "\(counts)")
    }
}
