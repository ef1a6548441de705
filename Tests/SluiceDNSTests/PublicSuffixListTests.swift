import Foundation
import Testing

@testable import SluiceDNS

/// The Public Suffix List's matching rules, and the organisational domain (RFC 7489 §3.2) built on them.
struct PublicSuffixListTests {
    /// An excerpt in the list's own format: comments, a wildcard with its exception, private-section rules,
    /// a Unicode rule (converted to its A-label form).
    static let excerpt = PublicSuffixList(text: """
        // ===BEGIN ICANN DOMAINS===
        com
        uk
        co.uk
        at
        co.at
        jp
        ac.jp
        kobe.jp
        *.kobe.jp
        !city.kobe.jp
        ck
        *.ck
        !www.ck
        cn
        公司.cn
        // ===BEGIN PRIVATE DOMAINS===
        github.io
        uk.com   trailing words are ignored
        """)

    @Test(arguments: [
        // Unlisted top-level domain: the implicit "*" rule.
        ("example", "example"), ("b.example.example", "example.example"),
        ("com", "com"), ("example.com", "example.com"), ("a.b.example.com", "example.com"),
        ("co.uk", "co.uk"), ("shop.example.co.uk", "example.co.uk"),
        ("news.example.co.at", "example.co.at"),
        ("ac.jp", "ac.jp"), ("www.test.ac.jp", "test.ac.jp"),
        // Wildcard and exception.
        ("c.kobe.jp", "c.kobe.jp"), ("a.b.c.kobe.jp", "b.c.kobe.jp"), ("www.city.kobe.jp", "city.kobe.jp"),
        ("test.ck", "test.ck"), ("b.test.ck", "b.test.ck"), ("www.ck", "www.ck"), ("www.www.ck", "www.ck"),
        // Private section.
        ("uk.com", "uk.com"), ("b.example.uk.com", "example.uk.com"), ("alice.github.io", "alice.github.io"),
        // Unicode rule, ASCII names.
        ("xn--55qx5d.cn", "xn--55qx5d.cn"), ("shishi.xn--55qx5d.cn", "shishi.xn--55qx5d.cn"), ("a.shishi.xn--55qx5d.cn", "shishi.xn--55qx5d.cn"),
    ])
    func organisationalDomainsFollowTheList(domain: String, expected: String) {
        #expect(Self.excerpt.organizationalDomain(of: domain) == expected)
    }

    @Test func organisationalDomainUsesTheListWhenGiven() {
        let withList = OrganizationalDomain(publicSuffixes: Self.excerpt)
        // co.at is not among the approximation's two-level suffixes: it takes "co.at" for the organisation.
        #expect(OrganizationalDomain.approximate.of("news.example.co.at") == "co.at")
        #expect(withList.of("News.Example.CO.AT.") == "example.co.at")
        #expect(withList.aligned("mail.example.co.at", "example.co.at", mode: .relaxed))
        #expect(!withList.aligned("alice.github.io", "bob.github.io", mode: .relaxed))
    }

    @Test func commentsBlankLinesAndBadRulesAreSkipped() {
        let list = PublicSuffixList(text: "// only a comment\n\n   \n!\n*.\nexample\n")
        #expect(list.count == 1)
        #expect(PublicSuffixList(text: "").count == 0)
    }

    /// The list the scripts install (Debian's publicsuffix), with vectors from publicsuffix.org's test file.
    @Test(arguments: [
        ("us", "us"), ("test.us", "test.us"), ("www.test.us", "test.us"), ("ak.us", "ak.us"), ("www.test.k12.ak.us", "test.k12.ak.us"),
        ("kyoto.jp", "kyoto.jp"), ("b.ide.kyoto.jp", "b.ide.kyoto.jp"), ("a.b.ide.kyoto.jp", "b.ide.kyoto.jp"),
        ("a.b.c.kobe.jp", "b.c.kobe.jp"), ("www.city.kobe.jp", "city.kobe.jp"), ("www.www.ck", "www.ck"),
        ("a.b.example.uk.com", "example.uk.com"), ("www.example.ac.in", "example.ac.in"), ("shop.example.org.tw", "example.org.tw"),
    ])
    func theInstalledListMatchesTheReferenceVectors(domain: String, expected: String) throws {
        let list = try PublicSuffixListFileFixture.installed()
        #expect(list.organizationalDomain(of: domain) == expected)
    }

    /// A subdomain under a two-level suffix the approximation lacks inherits its organisation's record.
    @Test func aSubdomainUnderAnUnlistedSuffixInheritsItsOrganisationsRecord() async {
        var dns = FakeLookup()
        dns.txt("_dmarc.example.co.at", "v=DMARC1; p=reject; rua=mailto:dmarc@example.co.at")
        let checker = DomainChecker(lookup: dns, organisationalDomain: OrganizationalDomain(publicSuffixes: Self.excerpt))
        let found = try? await checker.dmarcLookup("news.example.co.at")
        #expect(found?.location == "_dmarc.example.co.at")
        #expect(found?.inherited == true)
        let approximate = try? await DomainChecker(lookup: dns).dmarcLookup("news.example.co.at")
        #expect(approximate?.inherited == false, "the approximation looks at _dmarc.co.at and finds nothing")
    }
}

/// The system's Public Suffix List file (installed by `Scripts/test` through `build_deps`).
enum PublicSuffixListFileFixture {
    static let path = "/usr/share/publicsuffix/public_suffix_list.dat"

    static func installed() throws -> PublicSuffixList {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let list = PublicSuffixList(text: String(decoding: data, as: UTF8.self))
        try #require(list.count > 5000, "the publicsuffix package's list at \(path) is missing or truncated")
        return list
    }
}
