import Testing

@testable import SluiceDNS

/// Checker rules on in-memory DNS (no sockets): edge cases the test zones do not cover.
struct DomainCheckerRulesTests {
    /// A complete, passing setup for example.com with custom MAIL FROM mail.example.com.
    static func base() -> FakeLookup {
        var dns = FakeLookup()
        dns.txt("example.com", "v=spf1 include:amazonses.com ~all")
        dns.txt("amazonses.com", "v=spf1 -all")
        dns.txt("mail.example.com", "v=spf1 include:amazonses.com ~all")
        dns.add("mail.example.com", .mx, .mx(preference: 10, exchange: "feedback-smtp.eu-west-1.amazonses.com"))
        dns.add("t1._domainkey.example.com", .cname, .cname("t1.dkim.amazonses.com"))
        dns.txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:dmarc@example.com")
        return dns
    }

    func run(_ dns: FakeLookup) async -> DomainReport {
        await DomainChecker(lookup: dns).check(domain: "example.com", dkimTokens: ["t1"], mailFromSubdomain: "mail", region: "eu-west-1")
    }

    @Test func baseSetupPasses() async {
        let report = await run(Self.base())
        #expect(report.checks.allSatisfy { $0.status == .pass }, "\(report.renderText())")
    }

    @Test func externalReportDestinationMustAuthorise() async {
        var dns = Self.base()
        dns.records["_dmarc.example.com"] = nil
        dns.txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:agg@reports.example.net")
        let missing = await run(dns)
        #expect(missing.check("dmarc.rua")?.status == .warn)
        #expect(missing.check("dmarc.rua")?.fix == #"TXT example.com._report._dmarc.reports.example.net "v=DMARC1""#)
        dns.txt("example.com._report._dmarc.reports.example.net", "v=DMARC1")
        #expect(await run(dns).check("dmarc.rua")?.status == .pass)
    }

    @Test func invalidPolicyFailsRecordAndPolicy() async {
        var dns = Self.base()
        dns.records["_dmarc.example.com"] = nil
        dns.txt("_dmarc.example.com", "v=DMARC1; p=block; rua=mailto:dmarc@example.com")
        let report = await run(dns)
        #expect(report.check("dmarc.record")?.status == .fail)
        #expect(report.check("dmarc.record")?.message.contains("tag p") == true)
        #expect(report.check("dmarc.policy")?.status == .fail)
        #expect(report.check("dmarc.record")?.fix == #"TXT _dmarc.example.com "v=DMARC1; p=none; rua=mailto:dmarc@example.com""#)
    }

    @Test func strictSPFAlignmentWithCustomMailFromWarns() async {
        var dns = Self.base()
        dns.records["_dmarc.example.com"] = nil
        dns.txt("_dmarc.example.com", "v=DMARC1; p=reject; aspf=s; rua=mailto:dmarc@example.com")
        let check = await run(dns).check("dmarc.alignment")
        #expect(check?.status == .warn)
        #expect(check?.message.contains("use aspf=r") == true)
    }

    @Test func mailFromNeedsExactlyOneMXWithPreference10() async {
        var extra = Self.base()
        extra.add("mail.example.com", .mx, .mx(preference: 20, exchange: "mx.example.com"))
        #expect(await run(extra).check("mailfrom.mx")?.message.contains("2 MX records") == true)
        var preference = Self.base()
        preference.records["mail.example.com"]?[.mx] = [.mx(preference: 5, exchange: "feedback-smtp.eu-west-1.amazonses.com")]
        let check = await run(preference).check("mailfrom.mx")
        #expect(check?.status == .fail)
        #expect(check?.fix == "MX mail.example.com 10 feedback-smtp.eu-west-1.amazonses.com")
    }

    @Test func includeWithoutRecordIsAPermError() async {
        var dns = Self.base()
        dns.records["example.com"] = nil
        dns.txt("example.com", "v=spf1 include:amazonses.com include:gone.example.org ~all")
        let check = await run(dns).check("spf.record")
        #expect(check?.status == .fail)
        #expect(check?.message.contains("gone.example.org has no SPF record") == true)
    }

    @Test func missingAllWarnsWithAFix() async {
        var dns = Self.base()
        dns.records["example.com"] = nil
        dns.txt("example.com", "v=spf1 include:amazonses.com")
        let check = await run(dns).check("spf.all")
        #expect(check?.status == .warn)
        #expect(check?.fix == #"TXT example.com "v=spf1 include:amazonses.com ~all""#)
    }

    @Test func mailFromWithoutSESIncludeFails() async {
        var dns = Self.base()
        dns.records["mail.example.com"]?[.txt] = [.txt([Array("v=spf1 mx -all".utf8)])]
        let report = await run(dns)
        #expect(report.check("spf.ses_authorized")?.status == .fail)
        #expect(report.check("mailfrom.spf")?.fix == #"TXT mail.example.com "v=spf1 include:amazonses.com mx -all""#)
    }
}
