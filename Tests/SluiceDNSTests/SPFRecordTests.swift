import Testing

@testable import SluiceDNS

struct SPFRecordTests {
    @Test func parsesMechanismsQualifiersAndModifiers() throws {
        let record = try SPFRecord(
            parsing: "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a a:mail.example.com/24//64 mx:example.com ?ptr -exists:%{i}.bl.example.org include:amazonses.com redirect=_spf.example.com exp=explain.example.com ~all")
        #expect(record.directives.map(\.mechanism) == [
            .ip4("192.0.2.0/24"), .ip6("2001:db8::/32"), .a(nil), .a("mail.example.com"), .mx("example.com"), .ptr(nil),
            .exists("%{i}.bl.example.org"), .include("amazonses.com"), .all,
        ])
        #expect(record.directives[5].qualifier == .neutral)
        #expect(record.directives[6].qualifier == .fail)
        #expect(record.allQualifier == .softfail)
        #expect(record.redirect == "_spf.example.com")
        #expect(record.explanation == "explain.example.com")
    }

    @Test func recognisesSPFRecordsExactly() {
        #expect(SPFRecord.isSPF("v=spf1 -all"))
        #expect(SPFRecord.isSPF("V=SPF1"))
        #expect(!SPFRecord.isSPF("v=spf10 -all"))
        #expect(!SPFRecord.isSPF("spf2.0/pra -all"))
        #expect(!SPFRecord.isSPF(" v=spf1 -all"))
    }

    @Test func toleratesMacrosAndUnknownModifiers() throws {
        let record = try SPFRecord(parsing: "v=spf1 include:%{d2}.spf.example.com exists:%{l1r+-}.%{o}._spf.%{d} foo=bar%%x -all")
        #expect(record.directives.count == 3)
    }

    static let syntaxErrors: [(record: String, term: String)] = [
        ("v=spf1 ip4:192.0.2.300 ~all", "ip4:192.0.2.300"),
        ("v=spf1 ip4:192.0.2.0/33 ~all", "ip4:192.0.2.0/33"),
        ("v=spf1 ip6:2001:db8::zz -all", "ip6:2001:db8::zz"),
        ("v=spf1 include -all", "include"),
        ("v=spf1 include:localhost -all", "include:localhost"),
        ("v=spf1 inclde:amazonses.com -all", "inclde:amazonses.com"),
        ("v=spf1 a:example.com/40 -all", "a:example.com/40"),
        ("v=spf1 mx//129 -all", "mx//129"),
        ("v=spf1 all:foo", "all:foo"),
        ("v=spf1 exists:%{z}.example.com -all", "exists:%{z}.example.com"),
        ("v=spf1 include:%{d -all", "include:%{d"),
        ("v=spf1 redirect=a.example.com redirect=b.example.com", "redirect=b.example.com"),
        ("v=spf1 1bad=modifier -all", "1bad=modifier"),
    ]

    @Test(arguments: 0..<syntaxErrors.count)
    func reportsTheOffendingTerm(index: Int) {
        let (record, term) = Self.syntaxErrors[index]
        let error = #expect(throws: SPFSyntaxError.self, "\(record)") { try SPFRecord(parsing: record) }
        #expect(error?.term == term)
    }
}

extension SPFRecordTests {
    @Test func survivesRandomRecords() {
        var random = SplitMix64(seed: 7208)
        let alphabet = Array("v=spf1 :/%{}._-+~?!aimpx4620lncdue.,;=".utf8) + [0x7F, 0x20, 0xC3]
        for _ in 0..<3000 {
            let length = Int(random.next() % 48)
            let bytes = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            let text = "v=spf1 " + String(decoding: bytes, as: UTF8.self)
            _ = try? SPFRecord(parsing: text)
            _ = DMARCRecord(parsing: "v=DMARC1; " + String(decoding: bytes, as: UTF8.self))
        }
    }
}
