import Testing

@testable import SluiceDNS

struct DMARCRecordTests {
    @Test func parsesAllTags() {
        let record = DMARCRecord(
            parsing: "v=DMARC1; p=Reject; sp=quarantine; pct=50; rua=mailto:a@example.com,mailto:b@example.net!10m; ruf=mailto:f@example.com; adkim=s; aspf=r; fo=1:d; ri=3600; rf=afrf; future=x")
        #expect(record.isValid)
        #expect(record.policy == .reject)
        #expect(record.subdomainPolicy == .quarantine)
        #expect(record.percentage == 50)
        #expect(record.aggregateReportURIs == ["mailto:a@example.com", "mailto:b@example.net!10m"])
        #expect(record.dkimAlignment == .strict)
        #expect(record.failureOptions == ["1", "d"])
        #expect(record.reportInterval == 3600)
    }

    @Test func acceptsReportURIsOfAnyScheme() {
        let record = DMARCRecord(
            parsing: "v=DMARC1; p=none; rua=https://reports.example.net/dmarc?id=42!10m, mailto:a@example.com; ruf=urn:x-report:example")
        #expect(record.isValid, "\(record.problems)")
        #expect(record.aggregateReportURIs == ["https://reports.example.net/dmarc?id=42!10m", "mailto:a@example.com"])
        #expect(record.failureReportURIs == ["urn:x-report:example"])
        #expect(DMARCRecord.isValidReportURI("MAILTO:a@example.com!5K"))
        #expect(DMARCRecord.isValidReportURI("https://reports.example.net/a%2Cb"))
    }

    @Test func takesTheDestinationDomainFromMailtoURIsOnly() {
        #expect(DMARCRecord.domain(ofReportURI: "mailto:a@Reports.Example.NET!10m") == "reports.example.net")
        #expect(DMARCRecord.domain(ofReportURI: "https://user@reports.example.net/dmarc") == nil)
    }

    @Test func appliesDefaults() {
        let record = DMARCRecord(parsing: "v=DMARC1; p=none")
        #expect(record.isValid)
        #expect(record.percentage == 100)
        #expect(record.dkimAlignment == .relaxed && record.spfAlignment == .relaxed)
        #expect(record.aggregateReportURIs.isEmpty)
    }

    static let invalid: [(record: String, tag: String)] = [
        ("v=DMARC1; p=block", "p"),
        ("v=DMARC1; rua=mailto:a@example.com", "p"),
        ("v=DMARC1; p=none; pct=150", "pct"),
        ("v=DMARC1; p=none; pct=-1", "pct"),
        ("v=DMARC1; p=none; rua=dmarc@example.com", "rua"),
        ("v=DMARC1; p=none; ruf=mailto:nobody", "ruf"),
        ("v=DMARC1; p=none; rua=https://reports example.net/dmarc", "rua"),
        ("v=DMARC1; p=none; rua=://reports.example.net", "rua"),
        ("v=DMARC1; p=none; rua=1https://reports.example.net", "rua"),
        ("v=DMARC1; p=none; rua=https:", "rua"),
        ("v=DMARC1; p=none; rua=https://reports.example.net/dmarc!big", "rua"),
        ("v=DMARC1; p=none; rua=mailto:a@example.com,", "rua"),
        ("v=DMARC1; p=none; adkim=x", "adkim"),
        ("v=DMARC1; p=none; aspf=relaxed", "aspf"),
        ("v=DMARC1; p=none; fo=2", "fo"),
        ("v=DMARC1; p=none; ri=soon", "ri"),
        ("v=DMARC1; p=none; sp=maybe", "sp"),
        ("p=none; v=DMARC1", "v"),
        ("v=DMARC1; p=none; p=reject", "p"),
    ]

    @Test(arguments: 0..<invalid.count)
    func namesTheInvalidTag(index: Int) {
        let (text, tag) = Self.invalid[index]
        let record = DMARCRecord(parsing: text)
        #expect(!record.isValid, "\(text)")
        #expect(record.problems.contains { $0.tag == tag }, "\(text): \(record.problems)")
    }

    @Test func recognisesDMARCRecords() {
        #expect(DMARCRecord.isDMARC("v=DMARC1; p=none"))
        #expect(DMARCRecord.isDMARC("v = DMARC1;p=none"))
        #expect(!DMARCRecord.isDMARC("v=spf1 -all"))
        #expect(!DMARCRecord.isDMARC("p=none; v=DMARC1"))
    }

    @Test(arguments: [
        ("example.com", "example.com"), ("mail.example.com", "example.com"), ("a.b.example.co.uk", "example.co.uk"),
        ("shop.example.com.au", "example.com.au"), ("example.co.uk", "example.co.uk"), ("Sub.Example.COM.", "example.com"),
    ])
    func approximatesOrganisationalDomains(domain: String, expected: String) {
        #expect(OrganizationalDomain.approximate.of(domain) == expected)
    }

    @Test func alignsRelaxedAndStrict() {
        #expect(OrganizationalDomain.approximate.aligned("mail.example.com", "example.com", mode: .relaxed))
        #expect(!OrganizationalDomain.approximate.aligned("mail.example.com", "example.com", mode: .strict))
        #expect(!OrganizationalDomain.approximate.aligned("amazonses.com", "example.com", mode: .relaxed))
    }
}
