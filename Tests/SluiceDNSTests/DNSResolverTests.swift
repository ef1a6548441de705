import Foundation
import Logging
import SluiceTestSupport
import Testing

@testable import SluiceDNS

/// The resolver against Support/dns_server.py over real UDP/TCP on 127.0.0.1.
@Suite(.dnsServer)
struct DNSResolverTests {
    @Test func distinguishesRecordsNXDOMAINAndNODATA() async throws {
        do {
            let server = try TestDNSServer.shared()
            let resolver = try server.resolver()
            let found = try await resolver.lookup("good.test", .txt)
            #expect(found.status == .found)
            #expect(Set(found.texts) == ["v=spf1 include:amazonses.com ~all", "google-site-verification=unrelated"])
            #expect(try await resolver.lookup("nope.good.test", .txt).status == .nxdomain)
            // nospf.test has an A record but no TXT: NODATA, not NXDOMAIN.
            #expect(try await resolver.lookup("nospf.test", .txt).status == .noData)
            // _domainkey.good.test owns nothing but has names below it: an empty non-terminal.
            #expect(try await resolver.lookup("_domainkey.good.test", .txt).status == .noData)
            let mx = try await resolver.lookup("mail.good.test", .mx)
            #expect(mx.records == [.mx(preference: 10, exchange: "feedback-smtp.us-east-1.amazonses.com")])
        }
    }

    @Test func fallsBackToTCPWhenTruncatedAndJoinsTXTStrings() async throws {
        do {
            let server = try TestDNSServer.shared()
            let result = try await server.resolver().lookup("tcp.test", .txt)
            #expect(result.texts == ["v=spf1 include:amazonses.com ip4:192.0.2.0/24 ~all"])
            // Without the fallback the truncated UDP answer holds no records: a server failure, not "no record".
            let udpOnly = await #expect(throws: DNSError.self) { try await server.resolver(useTCPFallback: false).lookup("tcp.test", .txt) }
            #expect(udpOnly?.code == .serverFailure)
        }
    }

    @Test func fallsBackToTCPWhenTheTruncatedAnswerIsCutInsideARecord() async throws {
        let server = try TestDNSServer.shared()
        // One attempt: a resolver that dropped the cut datagram would time out instead of answering.
        let result = try await server.resolver(timeout: 2, attempts: 1).lookup("cut.slow.test", .txt)
        #expect(result.texts == ["v=spf1 include:amazonses.com ip4:192.0.2.0/24 ip4:198.51.100.0/24 ~all"])
        // Without the fallback the cut answer counts for its header: a server failure at once, no wait for a timeout.
        let udpOnly = await #expect(throws: DNSError.self) {
            try await server.resolver(timeout: 2, attempts: 1, useTCPFallback: false).lookup("cut.slow.test", .txt)
        }
        #expect(udpOnly?.code == .serverFailure)
    }

    @Test func acceptsACutTruncatedAnswerOnItsHeaderAndQuestion() throws {
        let question = DNSQuestion(name: "cut.test", type: .txt)
        let answer = DNSMessage(
            id: 7, isResponse: true, isTruncated: true, recursionAvailable: true, questions: [question],
            answers: [DNSRecord(name: "cut.test", type: .txt, data: .txt([Array(repeating: UInt8(ascii: "x"), count: 200)]))])
        let cut = Array(try answer.encode().dropLast(50))
        #expect(throws: DNSError.self) { try DNSMessage(decoding: cut) }
        let header = try DNSMessage(decodingHeaderAndQuestions: cut)
        #expect(header.isTruncated && header.isResponse && header.id == 7)
        #expect(header.questions == [question] && header.answers.isEmpty)
        #expect(DNSResolver.matches(cut, id: 7, question: question))
        // The anti-spoofing checks still apply to the header.
        #expect(!DNSResolver.matches(cut, id: 8, question: question))
        #expect(!DNSResolver.matches(cut, id: 7, question: DNSQuestion(name: "other.test", type: .txt)))
        #expect(!DNSResolver.matches(cut, id: 7, question: DNSQuestion(name: "cut.test", type: .mx)))
        var query = answer
        query.isResponse = false
        #expect(!DNSResolver.matches(Array(try query.encode().dropLast(50)), id: 7, question: question))
        // Cut inside the question: not an answer to anything.
        #expect(!DNSResolver.matches(Array(cut.prefix(16)), id: 7, question: question))
    }

    @Test func treatsReferralsAndAnswersWithoutRecursionAsServerFailures() async throws {
        let resolver = try TestDNSServer.shared().resolver(attempts: 1)
        for name in ["referral.slow.test", "norecursion.slow.test"] {
            let error = await #expect(throws: DNSError.self, "\(name)") { try await resolver.lookup(name, .txt) }
            #expect(error?.code == .serverFailure, "\(name)")
            #expect(error?.isTemporary == true, "\(name)")
        }
    }

    @Test func asksTheNextServerAfterAReferral() async throws {
        let misbehaving = try TestDNSServer.shared()
        let plain = try await offPool { try TestDNSServer.start(misbehaviours: []) }
        do {
            let configuration = DNSResolverConfiguration(
                servers: [DNSServerAddress(host: "127.0.0.1", port: misbehaving.port), DNSServerAddress(host: "127.0.0.1", port: plain.port)],
                timeout: 2, attempts: 1)
            let resolver = try DNSResolver(configuration: configuration, logger: Logger(label: "test.dns"))
            #expect(try await resolver.lookup("referral.slow.test", .txt).texts == ["behind a referral"])
            #expect(try await resolver.lookup("norecursion.slow.test", .txt).texts == ["behind a server without recursion"])
        } catch {
            await offPool { plain.stop() }
            throw error
        }
        await offPool { plain.stop() }
    }

    static func emptyAnswer(recursionAvailable: Bool = true, authoritative: Bool = false, authority: [DNSRecordType]) -> DNSMessage {
        let soa = DNSSOA(mname: "ns1.test", rname: "hostmaster.test", serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 300)
        let records = authority.map { type in
            DNSRecord(name: "test", type: type, data: type == .soa ? .soa(soa) : .ns("ns1.test"))
        }
        return DNSMessage(
            id: 1, isResponse: true, isAuthoritative: authoritative, recursionAvailable: recursionAvailable,
            questions: [DNSQuestion(name: "a.test", type: .txt)], authority: records)
    }

    @Test func tellsNODATAFromReferralsAndNonRecursiveAnswers() {
        let usable: [DNSMessage] = [
            Self.emptyAnswer(authority: [.soa]),
            // RFC 2308 §2.2 NODATA type 1 (SOA and NS) and type 3 (nothing in authority).
            Self.emptyAnswer(authority: [.soa, .ns]),
            Self.emptyAnswer(authority: []),
            // Authoritative for the zone: definitive even without recursion.
            Self.emptyAnswer(recursionAvailable: false, authoritative: true, authority: [.soa]),
        ]
        for message in usable {
            #expect(DNSResolver.unusableAnswerProblem(message) == nil, "\(message)")
            #expect(DNSResolver.follow(message, from: "a.test", type: .txt).outcome == .noData)
        }
        let referral = Self.emptyAnswer(authority: [.ns])
        #expect(DNSResolver.unusableAnswerProblem(referral)?.contains("referral") == true)
        let noRecursion = Self.emptyAnswer(recursionAvailable: false, authority: [.soa])
        #expect(DNSResolver.unusableAnswerProblem(noRecursion)?.contains("without recursion") == true)
        #expect(DNSResolver.unusableAnswerProblem(Self.emptyAnswer(recursionAvailable: false, authority: [])) != nil)
        // Records, or NXDOMAIN, are not judged here.
        var nxdomain = Self.emptyAnswer(recursionAvailable: false, authority: [.ns])
        nxdomain.responseCode = .nameError
        #expect(DNSResolver.unusableAnswerProblem(nxdomain) == nil)
        var found = Self.emptyAnswer(recursionAvailable: false, authority: [.ns])
        found.answers = [DNSRecord(name: "a.test", type: .txt, data: .txt([Array("x".utf8)]))]
        #expect(DNSResolver.unusableAnswerProblem(found) == nil)
    }

    @Test func reportsATimeoutAsATemporaryError() async throws {
        do {
            let server = try TestDNSServer.shared()
            let resolver = try server.resolver(timeout: 0.3, attempts: 2)
            let error = await #expect(throws: DNSError.self) { try await resolver.lookup("silent.slow.test", .txt) }
            #expect(error?.code == .timeout)
            #expect(error?.isTemporary == true)
        }
    }

    @Test func reportsSERVFAILAsATemporaryError() async throws {
        do {
            let server = try TestDNSServer.shared()
            let resolver = try server.resolver()
            let error = await #expect(throws: DNSError.self) { try await resolver.lookup("servfail.slow.test", .txt) }
            #expect(error?.code == .serverFailure)
        }
    }

    @Test func ignoresAnswersWithTheWrongID() async throws {
        do {
            let server = try TestDNSServer.shared()
            let result = try await server.resolver().lookup("spoof.slow.test", .txt)
            #expect(result.texts == ["genuine"])
        }
    }

    @Test func retriesWithoutEDNSAfterFORMERR() async throws {
        do {
            let server = try TestDNSServer.shared()
            let result = try await server.resolver().lookup("old.slow.test", .txt)
            #expect(result.texts == ["answered without EDNS"])
        }
    }

    @Test func followsCNAMEChains() async throws {
        do {
            let server = try TestDNSServer.shared()
            let resolver = try server.resolver()
            let result = try await resolver.lookup("chain.slow.test", .txt)
            #expect(result.cnameChain == ["hop.slow.test", "good.test"])
            #expect(result.texts.contains("v=spf1 include:amazonses.com ~all"))
            let dangling = try await resolver.lookup("dangling.slow.test", .txt)
            #expect(dangling.status == .nxdomain)
            #expect(dangling.cnameChain == ["missing.slow.test"])
            // Asking for the CNAME itself does not chase it.
            let cname = try await resolver.lookup("chain.slow.test", .cname)
            #expect(cname.records == [.cname("hop.slow.test")])
        }
    }

    @Test func triesTheNextServerWhenOneFails() async throws {
        do {
            let server = try TestDNSServer.shared()
            // A UDP port nobody listens on (ICMP port unreachable), then the real server.
            let dead = DNSServerAddress(host: "127.0.0.1", port: 9)
            let configuration = DNSResolverConfiguration(
                servers: [dead, DNSServerAddress(host: "127.0.0.1", port: server.port)], timeout: 0.5, attempts: 1)
            let resolver = try DNSResolver(configuration: configuration, logger: Logger(label: "test.dns"))
            #expect(try await resolver.lookup("good.test", .txt).status == .found)
        }
    }

    @Test func stopsCNAMELoopsInsideOneAnswer() {
        let message = DNSMessage(
            id: 1, isResponse: true, questions: [DNSQuestion(name: "a.test", type: .txt)],
            answers: [
                DNSRecord(name: "a.test", type: .cname, data: .cname("b.test")),
                DNSRecord(name: "b.test", type: .cname, data: .cname("a.test")),
            ])
        let (chain, outcome) = DNSResolver.follow(message, from: "a.test", type: .txt)
        #expect(chain == ["b.test"])
        #expect(outcome == .pending("b.test"))
    }

    @Test func parsesServerListsAndResolvConf() throws {
        #expect(
            try DNSServerAddress.parseList("127.0.0.1:5353, [::1]:53 10.0.0.1")
                == [
                    DNSServerAddress(host: "127.0.0.1", port: 5353), DNSServerAddress(host: "::1", port: 53),
                    DNSServerAddress(host: "10.0.0.1", port: 53),
                ])
        #expect(try DNSServerAddress(parsing: "2001:db8::1").port == 53)
        for bad in ["dns.google:53", "1.2.3.4:0", "1.2.3.4:99999", "[::1"] {
            #expect(throws: DNSError.self, "\(bad)") { try DNSServerAddress(parsing: bad) }
        }
        let conf = "# comment\nsearch example.com\nnameserver 10.255.255.53\nnameserver ::1\nnameserver fe80::1%eth0\noptions ndots:1\n"
        #expect(DNSServerAddress.parseResolvConf(conf) == [DNSServerAddress(host: "10.255.255.53"), DNSServerAddress(host: "::1")])
    }

    @Test func refusesAnEmptyConfiguration() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("resolv-\(UUID().uuidString).conf").path
        try "search example.com\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: DNSError.self) {
            try DNSResolver(logger: Logger(label: "test.dns"), resolvConfPath: path)
        }
        #expect(error?.code == .configuration)
    }
}
