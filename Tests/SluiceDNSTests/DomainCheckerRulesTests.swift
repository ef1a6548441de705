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

    @Test func reportURIsWithoutMailtoWarnButKeepTheRecordValid() async {
        var dns = Self.base()
        dns.records["_dmarc.example.com"] = nil
        dns.txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=https://reports.example.net/dmarc")
        let report = await run(dns)
        #expect(report.check("dmarc.record")?.status == .pass)
        #expect(report.check("dmarc.policy")?.status == .pass)
        let rua = report.check("dmarc.rua")
        #expect(rua?.status == .warn)
        #expect(rua?.message.contains("no mailto:") == true)
        #expect(rua?.fix == #"TXT _dmarc.example.com "v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com,https://reports.example.net/dmarc""#)
        // With a mailto: URI beside it, the other one is no problem; no authorisation is asked for it.
        dns.records["_dmarc.example.com"] = nil
        dns.txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=https://reports.example.net/dmarc,mailto:dmarc@example.com")
        #expect(await run(dns).check("dmarc.rua")?.status == .pass)
        // An external mailto: destination still has to authorise the reports.
        dns.records["_dmarc.example.com"] = nil
        dns.txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=https://reports.example.net/dmarc,mailto:agg@reports.example.net!10m")
        let external = await run(dns).check("dmarc.rua")
        #expect(external?.status == .warn)
        #expect(external?.fix == #"TXT example.com._report._dmarc.reports.example.net "v=DMARC1""#)
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

    @Test func mailFromWithASoftfailSESIncludeFailsAndLosesTheQualifier() async {
        var dns = Self.base()
        dns.records["mail.example.com"]?[.txt] = [.txt([Array("v=spf1 ~include:amazonses.com -all".utf8)])]
        let report = await run(dns)
        let authorized = report.check("spf.ses_authorized")
        #expect(authorized?.status == .fail)
        #expect(authorized?.message.contains("~include:amazonses.com at mail.example.com") == true)
        #expect(authorized?.fix == #"TXT mail.example.com "v=spf1 include:amazonses.com -all""#)
        #expect(report.check("mailfrom.spf")?.status == .fail)
        #expect(report.check("mailfrom.spf")?.fix == #"TXT mail.example.com "v=spf1 include:amazonses.com -all""#)
    }

    @Test func spfAlignsOnlyWhenTheMailFromChecksPass() async {
        // Without its MX, SES falls back to the amazonses.com MAIL FROM: only DKIM aligns.
        var noMX = Self.base()
        noMX.records["mail.example.com"]?[.mx] = nil
        let missingMX = await run(noMX)
        #expect(missingMX.check("mailfrom.mx")?.status == .fail)
        let check = missingMX.check("dmarc.alignment")
        #expect(check?.status == .warn)
        #expect(check?.message.contains("mail.example.com fails mailfrom.mx or mailfrom.spf") == true, "\(check?.message ?? "missing")")
        #expect(check?.message.contains("SPF MAIL FROM mail.example.com aligned") == false)
        // A MAIL FROM SPF record that does not pass SES mail: SPF fails, so it cannot align.
        var softfail = Self.base()
        softfail.records["mail.example.com"]?[.txt] = [.txt([Array("v=spf1 ~include:amazonses.com -all".utf8)])]
        #expect(await run(softfail).check("dmarc.alignment")?.status == .warn)
        // With DKIM broken too nothing aligns: DMARC fails.
        let neither = await runWith(softfail, tokens: ["t1", "t2"])
        #expect(neither.check("dmarc.alignment")?.status == .fail)
        #expect(neither.check("dmarc.alignment")?.message.contains("fix the custom MAIL FROM") == true)
        // Both mailfrom checks passing, with DKIM broken: SPF alone aligns.
        #expect(await runWith(Self.base(), tokens: ["t1", "t2"]).check("dmarc.alignment")?.status == .warn)
    }

    @Test func unreadableMailFromLeavesSPFAlignmentUnknown() async {
        var dns = Self.base()
        dns.failing.insert("mail.example.com")
        // DKIM aligned: DMARC passes either way, a warning.
        let dkimAligned = await run(dns).check("dmarc.alignment")
        #expect(dkimAligned?.status == .warn)
        #expect(dkimAligned?.message.contains("try again later to check SPF alignment") == true)
        // DKIM not aligned: whether DMARC passes is unknown, an error.
        #expect(await runWith(dns, tokens: ["t1", "t2"]).check("dmarc.alignment")?.status == .error)
    }

    func runWith(_ dns: FakeLookup, domain: String = "example.com", tokens: [String] = ["t1"], mailFrom: String? = "mail") async -> DomainReport {
        await DomainChecker(lookup: dns).check(domain: domain, dkimTokens: tokens, mailFromSubdomain: mailFrom, region: "eu-west-1")
    }

    @Test func plusAllThroughTwoRedirectsFailsWithTheFixOnTheRecordThatHasIt() async {
        var dns = Self.base()
        dns.records["example.com"] = nil
        dns.txt("example.com", "v=spf1 redirect=r1.example.com")
        dns.txt("r1.example.com", "v=spf1 redirect=r2.example.com")
        dns.txt("r2.example.com", "v=spf1 include:amazonses.com +all")
        let check = await run(dns).check("spf.all")
        #expect(check?.status == .fail)
        #expect(check?.message.hasPrefix("+all (in r2.example.com") == true)
        #expect(check?.fix == #"TXT r2.example.com "v=spf1 include:amazonses.com ~all""#)
    }

    @Test func plusAllThroughOneRedirectFixesTheTarget() async {
        var dns = Self.base()
        dns.records["example.com"] = nil
        dns.txt("example.com", "v=spf1 redirect=_spf.example.com")
        dns.txt("_spf.example.com", "v=spf1 include:amazonses.com +all")
        let check = await run(dns).check("spf.all")
        #expect(check?.status == .fail)
        #expect(check?.fix == #"TXT _spf.example.com "v=spf1 include:amazonses.com ~all""#)
    }

    @Test func termsAfterAllAreNotEvaluatedButWarned() async {
        var dns = Self.base()
        dns.records["example.com"] = nil
        let after = (0...10).map { "a:h\($0).example.com" }.joined(separator: " ")
        dns.txt("example.com", "v=spf1 include:amazonses.com -all \(after) exp=why.example.com")
        let report = await run(dns)
        #expect(report.check("spf.record")?.status == .pass)
        #expect(report.check("spf.lookup_limit")?.status == .pass)
        let all = report.check("spf.all")
        #expect(all?.status == .warn)
        #expect(all?.fix == #"TXT example.com "v=spf1 include:amazonses.com -all exp=why.example.com""#)
    }

    @Test func alignmentWithoutTokensWarnsInsteadOfFailing() async {
        let report = await runWith(Self.base(), tokens: [], mailFrom: nil)
        let check = report.check("dmarc.alignment")
        #expect(check?.status == .warn)
        #expect(check?.message.contains("DKIM not checked") == true)
        #expect(check?.message.contains("--dkim-token") == true)
        // With the custom MAIL FROM aligned, still a warning: DKIM is unknown.
        #expect(await runWith(Self.base(), tokens: []).check("dmarc.alignment")?.status == .warn)
    }

    @Test func alignmentNeedsEveryDKIMCNAME() async {
        // t2's CNAME is missing: SES cannot sign for the domain, so DKIM is not aligned.
        let missing = await runWith(Self.base(), tokens: ["t1", "t2"], mailFrom: nil)
        #expect(missing.check("dkim.t2")?.status == .fail)
        let check = missing.check("dmarc.alignment")
        #expect(check?.status == .fail)
        #expect(check?.message.contains("DKIM d=example.com aligned") == false)
        #expect(await runWith(Self.base(), tokens: ["t1"], mailFrom: nil).check("dmarc.alignment")?.status == .warn)
        #expect(await runWith(Self.base(), tokens: ["t1"]).check("dmarc.alignment")?.status == .pass)
    }

    @Test func namesTooLongToAskFailInsteadOfTemporaryErrors() async {
        // 253 bytes: valid, but _dmarc.<domain> and <token>._domainkey.<domain> exceed 255 on the wire.
        let domain = [String(repeating: "a", count: 63), String(repeating: "b", count: 63), String(repeating: "c", count: 63), String(repeating: "d", count: 56), "test"].joined(separator: ".")
        #expect(domain.utf8.count == 253)
        let report = await runWith(FakeLookup(), domain: domain, mailFrom: nil)
        for id in ["dmarc.record", "dkim.t1", "dmarc.alignment"] {
            #expect(report.check(id)?.status == .fail, "\(id): \(report.check(id)?.message ?? "missing")")
            #expect(report.check(id)?.message.contains("not a valid DNS name") == true)
        }
        #expect(!report.checks.contains { $0.message.contains("try again later") })
        #expect(!report.hasErrors)
    }

    @Test(arguments: [
        ("mail", "mail.example.com"), ("mail.example.com", "mail.example.com"), ("Bounce.Mail.Example.com.", "bounce.mail.example.com"),
    ])
    func mailFromIsALabelOrANameUnderTheDomain(given: String, full: String) {
        #expect(DomainChecker.mailFromDomain(given, under: "example.com") == .success(full))
    }

    @Test func mailFromEqualToOrOutsideTheDomainIsRefused() async {
        for given in ["example.com", "mail.other.com"] {
            let report = await runWith(Self.base(), mailFrom: given)
            let check = report.check("mailfrom.mx")
            #expect(check?.status == .fail)
            #expect(check?.message.contains("subdomain of example.com") == true, "\(check?.message ?? "missing")")
            #expect(!report.checks.contains { $0.message.contains("\(given).example.com") })
        }
    }

    @Test func idnDomainIsCheckedUnderItsALabel() async {
        var dns = FakeLookup()
        dns.txt("xn--bcher-kva.test", "v=spf1 include:amazonses.com ~all")
        dns.txt("amazonses.com", "v=spf1 -all")
        let report = await runWith(dns, domain: "Bücher.test", tokens: [], mailFrom: "mail.bücher.test")
        #expect(report.domain == "xn--bcher-kva.test")
        #expect(report.check("domain") == nil)
        #expect(report.check("spf.record")?.status == .pass)
        #expect(report.check("mailfrom.mx")?.message.contains("mail.xn--bcher-kva.test") == true)
    }
}
