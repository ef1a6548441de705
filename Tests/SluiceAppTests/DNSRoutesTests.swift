import Foundation
import Testing
import SluiceCore
import SluiceTestSupport
@testable import SluiceApp

/// `GET /v1/domains/{domain}/dns-check` over 127.0.0.1 against a DNS server that never answers.
@Suite(.serialized)
struct DNSRoutesTests {
    static func threadCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
    }

    /// Whether the server has written to (or closed) the connection `fd`; reads nothing.
    @Sendable static func hasAnswer(_ fd: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }

    @Test func concurrentChecksAreBoundedAndTheRestGetDNSBusy() async throws {
        let blackHole = try UDPBlackHole()
        let app = try await SendTestApp.start(settings: [
            "dns.servers": .array([.string("127.0.0.1:\(blackHole.port)")]), "dns.max_concurrent_checks": .integer(4),
        ])
        try await withFixture(app) { app in
            let before = Self.threadCount()
            var sockets: [Int32] = []
            for i in 0..<60 {
                guard case .success(let fd) = RawHTTP.connect(port: app.app.port) else {
                    Issue.record("cannot connect")
                    return
                }
                RawHTTP.send(fd, "GET /v1/domains/x\(i).slow/dns-check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(SendTestApp.token)\r\nConnection: close\r\n\r\n")
                sockets.append(fd)
            }
            // Every request is placed once the refused ones have their answers: 56 when 4 checks run.
            let fds = sockets
            let placed = await eventually(timeout: .seconds(30)) { fds.filter(Self.hasAnswer).count >= 56 }
            #expect(placed, "only \(fds.filter(Self.hasAnswer).count) of 60 requests were answered")
            // Each running check blocks a few threads in socket calls; 60 unbounded checks would add well over 100.
            let during = Self.threadCount()
            #expect(during - before < 40, "threads before \(before), during \(during)")
            let responses = await Task.detached { fds.map(RawHTTP.readAll) }.value
            let busy = responses.filter { $0?.status == 503 }
            #expect(busy.count >= 50)
            #expect(responses.allSatisfy { $0?.status == 503 || $0?.status == 200 })
            for response in busy {
                #expect(response?.body.contains(#""code":"dns_busy""#) == true)
                #expect(response?.head.lowercased().contains("retry-after: 5") == true)
            }
            // Places are given back: a check after the burst runs.
            let later = await Task.detached { RawHTTP.request(port: app.app.port, "GET", "/v1/domains/after.slow/dns-check", headers: ["Authorization": "Bearer \(SendTestApp.token)"]) }.value
            #expect(later?.status == 200)
        }
    }

    /// The route asks SES for the tokens unless `ses=false` or tokens are given; `ses` is true or false, once.
    @Test func sesLookupFollowsTheSESQueryParameter() async throws {
        let tokens = DomainCheckServiceTests.tokens
        let dns = try ZoneDNSServer(zone: ZoneDNSServer.goodDomain("api.test", tokens: tokens))
        defer { dns.stop() }
        let ses = try TestHTTPServer { request in
            request.path.hasPrefix("/v2/email/identities/")
                ? DomainCheckServiceTests.easyDKIMAnswer()
                : .json(#"{"message":"not here"}"#, status: 404, headers: [("x-amzn-ErrorType", "NotFoundException")])
        }
        defer { ses.stop() }
        let app = try await SendTestApp.start(
            settings: [
                "dns.servers": .array([.string(dns.serverList)]), "ses.transport": .string("ses"), "ses.endpoint": .string(ses.baseURL),
            ],
            environment: SendTestApp.staticKeys)
        try await withFixture(app) { app in
            let port = app.app.port
            func get(_ target: String) async -> RawHTTP.Response? {
                await Task.detached { RawHTTP.request(port: port, "GET", target, headers: ["Authorization": "Bearer \(SendTestApp.token)"]) }.value
            }
            var lookups: Int { ses.requests.filter { $0.path.hasPrefix("/v2/email/identities/") }.count }

            let asked = try #require(await get("/v1/domains/api.test/dns-check"))
            #expect(asked.status == 200)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(asked.body.utf8)) as? [String: Any])
            let view = try #require(json["ses"] as? [String: Any])
            #expect(view["lookup"] as? String == "ok")
            #expect(view["tokens_used"] as? Bool == true)
            #expect(view["dkim_tokens"] as? [String] == tokens)
            #expect(asked.body.contains(#""id" : "dkim.\#(tokens[0])""#))
            #expect(lookups == 1)

            let skipped = try #require(await get("/v1/domains/api.test/dns-check?ses=false"))
            #expect(skipped.status == 200)
            #expect(skipped.body.contains(#""lookup" : "skipped""#))
            let given = try #require(await get("/v1/domains/api.test/dns-check?dkim_token=\(tokens[0])"))
            #expect(given.status == 200)
            #expect(lookups == 1)

            for bad in ["ses=maybe", "ses=false&ses=true"] {
                let refused = try #require(await get("/v1/domains/api.test/dns-check?\(bad)"))
                #expect(refused.status == 400)
                #expect(refused.body.contains(#""code":"invalid_query""#))
            }
        }
    }
}
