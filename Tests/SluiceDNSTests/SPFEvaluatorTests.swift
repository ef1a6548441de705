import Testing

@testable import SluiceDNS

struct SPFEvaluatorTests {
    func evaluate(_ lookup: FakeLookup, _ domain: String = "example.com") async throws -> SPFEvaluation {
        let text = try #require(lookup.records[domain]?[.txt]?.first?.text)
        return await SPFEvaluator(lookup: lookup).evaluate(try SPFRecord(parsing: text), at: domain)
    }

    @Test func findsAmazonSESThroughNestedIncludes() async throws {
        var dns = FakeLookup()
        dns.txt("example.com", "v=spf1 include:_spf.example.com -all")
        dns.txt("_spf.example.com", "v=spf1 include:amazonses.com ~all")
        dns.txt("amazonses.com", "v=spf1 ip4:199.255.192.0/22 -all")
        let result = try await evaluate(dns)
        #expect(result.authorizesAmazonSES)
        #expect(result.lookupCount == 2)
        #expect(!result.isPermError)
        #expect(result.effectiveAll == .fail)
    }

    @Test(arguments: ["~", "-", "?"])
    func doesNotCountANonPassIncludeOfAmazonSES(qualifier: String) async throws {
        var dns = FakeLookup()
        dns.txt("example.com", "v=spf1 \(qualifier)include:amazonses.com -all")
        dns.txt("amazonses.com", "v=spf1 ip4:199.255.192.0/22 -all")
        let result = try await evaluate(dns)
        #expect(!result.authorizesAmazonSES)
        #expect(result.nonPassingSESInclude == "\(qualifier)include:amazonses.com at example.com")
        #expect(result.lookupCount == 1)
        // "+" is the default qualifier written out.
        var plus = FakeLookup()
        plus.txt("example.com", "v=spf1 +include:amazonses.com -all")
        plus.txt("amazonses.com", "v=spf1 -all")
        #expect(try await evaluate(plus).authorizesAmazonSES)
    }

    @Test func needsThePassQualifierOnEveryIncludeOnThePath() async throws {
        var dns = FakeLookup()
        dns.txt("example.com", "v=spf1 ~include:_spf.example.com -all")
        dns.txt("_spf.example.com", "v=spf1 include:_ses.example.com ~all")
        dns.txt("_ses.example.com", "v=spf1 redirect=amazonses.com")
        dns.txt("amazonses.com", "v=spf1 -all")
        let softfail = try await evaluate(dns)
        #expect(!softfail.authorizesAmazonSES)
        #expect(softfail.nonPassingSESInclude == "~include:_spf.example.com at example.com")
        // The same chain with a pass include at the top authorises SES.
        dns.records["example.com"] = nil
        dns.txt("example.com", "v=spf1 include:_spf.example.com -all")
        let pass = try await evaluate(dns)
        #expect(pass.authorizesAmazonSES)
        #expect(pass.nonPassingSESInclude == nil)
    }

    /// A non-pass include inside an included record only makes that include fail to match for SES IPs
    /// (RFC 7208 §5.2): evaluation goes on, and a later pass include authorises SES.
    @Test func aNonPassIncludeDeeperDownDoesNotBlockALaterPass() async throws {
        var dns = FakeLookup()
        dns.txt("example.com", "v=spf1 include:_spf.example.com include:amazonses.com -all")
        dns.txt("_spf.example.com", "v=spf1 ~include:amazonses.com ~all")
        dns.txt("amazonses.com", "v=spf1 -all")
        let later = try await evaluate(dns)
        #expect(later.authorizesAmazonSES)
        #expect(later.nonPassingSESInclude == nil)
        // Without the later pass path the nested one is the reason given.
        dns.records["example.com"] = nil
        dns.txt("example.com", "v=spf1 include:_spf.example.com -all")
        let only = try await evaluate(dns)
        #expect(!only.authorizesAmazonSES)
        #expect(only.nonPassingSESInclude == "~include:amazonses.com at _spf.example.com")
        // Under a decisive non-pass include, a nested non-pass one cancels it out: no match, a later path decides.
        dns.records["example.com"] = nil
        dns.txt("example.com", "v=spf1 ~include:_spf.example.com include:amazonses.com -all")
        #expect(try await evaluate(dns).authorizesAmazonSES)
    }

    @Test func theFirstIncludeOfAmazonSESDecides() async throws {
        // Receivers stop at the first matching term: SES IPs hit the softfail include first.
        var softFirst = FakeLookup()
        softFirst.txt("example.com", "v=spf1 ~include:amazonses.com include:amazonses.com -all")
        softFirst.txt("amazonses.com", "v=spf1 -all")
        #expect(try await !evaluate(softFirst).authorizesAmazonSES)
        var passFirst = FakeLookup()
        passFirst.txt("example.com", "v=spf1 include:amazonses.com -include:amazonses.com -all")
        passFirst.txt("amazonses.com", "v=spf1 -all")
        let result = try await evaluate(passFirst)
        #expect(result.authorizesAmazonSES)
        #expect(result.nonPassingSESInclude == nil)
    }

    @Test func countsEveryLookupTermAndStopsPastTen() async throws {
        var dns = FakeLookup()
        dns.txt("example.com", "v=spf1 a mx ptr exists:x.example.com include:i.example.com ~all")
        dns.add("example.com", .a, .a([192, 0, 2, 1]))
        dns.add("example.com", .mx, .mx(preference: 10, exchange: "mx.example.com"))
        dns.add("x.example.com", .a, .a([127, 0, 0, 2]))
        dns.txt("i.example.com", "v=spf1 a:1.example.com a:2.example.com a:3.example.com a:4.example.com a:5.example.com a:6.example.com -all")
        for n in 1...6 { dns.add("\(n).example.com", .a, .a([192, 0, 2, UInt8(n)])) }
        let result = try await evaluate(dns)
        #expect(result.lookupCount == 11)
        #expect(result.exceedsLookupLimit)
        #expect(result.limitExceededAt == "example.com → i.example.com → a:6.example.com")
    }

    @Test func countsVoidLookups() async throws {
        var dns = FakeLookup()
        dns.txt("example.com", "v=spf1 a:gone1.example.com mx:gone2.example.com exists:gone3.example.com -all")
        let result = try await evaluate(dns)
        #expect(result.voidLookupCount == 3)
        #expect(result.exceedsVoidLimit)
        #expect(result.isPermError)
    }

    @Test func aNameWithOnlyAAAAIsNotVoid() async throws {
        var dns = FakeLookup()
        dns.txt("example.com", "v=spf1 a:v6.example.com -all")
        dns.add("v6.example.com", .aaaa, .aaaa(Array(repeating: 1, count: 16)))
        #expect(try await evaluate(dns).voidLookupCount == 0)
    }

    @Test func reportsIncludeProblemsAsPermErrors() async throws {
        var dns = FakeLookup()
        dns.txt("example.com", "v=spf1 include:none.example.com include:bad.example.com include:loop.example.com -all")
        dns.existing.insert("none.example.com")
        dns.txt("bad.example.com", "v=spf1 ip4:1.2.3 -all")
        dns.txt("loop.example.com", "v=spf1 include:example.com -all")
        let result = try await evaluate(dns)
        #expect(result.problems.count == 3)
        #expect(result.problems[0].contains("none.example.com has no SPF record"))
        #expect(result.problems[1].contains("ip4:1.2.3"))
        #expect(result.problems[2].contains("loops back"))
    }

    @Test func followsRedirectForTheAllQualifier() async throws {
        var dns = FakeLookup()
        dns.txt("example.com", "v=spf1 redirect=_spf.example.com")
        dns.txt("_spf.example.com", "v=spf1 include:amazonses.com -all")
        dns.txt("amazonses.com", "v=spf1 -all")
        let result = try await evaluate(dns)
        #expect(result.effectiveAll == .fail)
        #expect(result.authorizesAmazonSES)
        #expect(result.lookupCount == 2)
    }

    @Test func takesTheAllOfARedirectChainAndWhereItIs() async throws {
        var dns = FakeLookup()
        dns.txt("redir.test", "v=spf1 redirect=r1.redir.test")
        dns.txt("r1.redir.test", "v=spf1 redirect=r2.redir.test")
        dns.txt("r2.redir.test", "v=spf1 include:amazonses.com +all")
        dns.txt("amazonses.com", "v=spf1 -all")
        let result = try await evaluate(dns, "redir.test")
        #expect(result.effectiveAll == .pass)
        #expect(result.effectiveAllSource == SPFEvaluation.AllSource(domain: "r2.redir.test", record: "v=spf1 include:amazonses.com +all"))
        #expect(result.authorizesAmazonSES)
        // An included record's all only ends the include.
        var included = FakeLookup()
        included.txt("example.com", "v=spf1 include:_spf.example.com")
        included.txt("_spf.example.com", "v=spf1 +all")
        #expect(try await evaluate(included).effectiveAll == nil)
    }

    @Test func neverEvaluatesTermsAfterAll() async throws {
        var dns = FakeLookup()
        let after = (0...10).map { "a:h\($0).example.com" }.joined(separator: " ")
        dns.txt("example.com", "v=spf1 ip4:192.0.2.1 -all \(after)")
        let result = try await evaluate(dns)
        #expect(result.lookupCount == 0)
        #expect(!result.isPermError)
        #expect(result.effectiveAll == .fail)
    }

    @Test func flagsMoreThanTenMXNames() async throws {
        var dns = FakeLookup()
        dns.txt("example.com", "v=spf1 mx -all")
        for n in 1...11 { dns.add("example.com", .mx, .mx(preference: UInt16(n), exchange: "mx\(n).example.com")) }
        #expect(try await evaluate(dns).problems.count == 1)
    }

    @Test func keepsTemporaryErrorsApartFromVerdicts() async throws {
        var dns = FakeLookup()
        dns.txt("example.com", "v=spf1 include:slow.example.com -all")
        dns.failing.insert("slow.example.com")
        let result = try await evaluate(dns)
        #expect(result.temporaryError?.code == .timeout)
        #expect(!result.isPermError)
    }
}
