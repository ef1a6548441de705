import Foundation
import Logging
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
            // Without the fallback the truncated UDP answer is all there is: no records.
            let udpOnly = try await server.resolver(useTCPFallback: false).lookup("tcp.test", .txt)
            #expect(udpOnly.records.isEmpty)
        }
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
