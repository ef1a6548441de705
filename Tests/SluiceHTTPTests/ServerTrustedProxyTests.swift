import SluiceCore
import SluiceTestSupport
import Testing
@testable import SluiceHTTP

/// `trustedProxies` over real sockets: a request from a trusted proxy carries its forwarded client as
/// `remoteAddress` and in the access log; from anyone else `X-Forwarded-For` changes nothing; only the
/// configured header (`forwardedHeader`) is read.
struct ServerTrustedProxyTests {
    static func router() -> Router {
        var router = Router()
        router.addSync(.GET, "/whoami") { request in .text(request.remoteAddress) }
        return router
    }

    static func whoami(port: Int, forwardedFor: [String], header: String = "X-Forwarded-For") async throws -> String {
        try await offPool {
            let client = try RawClient(port: port)
            let headers = forwardedFor.map { "\(header): \($0)\r\n" }.joined()
            return try client.roundTrip("GET /whoami HTTP/1.1\r\nHost: x\r\n\(headers)\r\n").bodyText
        }
    }

    @Test func aTrustedProxysForwardedClientIsTheRemoteAddress() async throws {
        let (logger, records) = CapturingLogHandler.logger(label: "access", level: .info)
        let proxies = ["127.0.0.0/8", "10.0.0.0/8"].compactMap(IPNetwork.init)
        try await withServer(Self.router(), configure: { $0.trustedProxies = proxies }, logger: logger) { (server: HTTPServer) async throws in
            #expect(try await Self.whoami(port: server.port, forwardedFor: ["6.6.6.6, 198.51.100.7, 10.1.1.1"]) == "198.51.100.7")
            #expect(try await Self.whoami(port: server.port, forwardedFor: ["2001:db8::9"]) == "[2001:db8:0:0:0:0:0:9]")
            // No header: the proxy itself, with its port, as for any peer.
            #expect(try await Self.whoami(port: server.port, forwardedFor: []).hasPrefix("127.0.0.1:"))
        }
        #expect(records.contains("remote=198.51.100.7"))
    }

    @Test func anyoneElsesForwardedForIsIgnored() async throws {
        for trusted in [[], ["10.0.0.0/8"]] {
            try await withServer(Self.router(), configure: { $0.trustedProxies = trusted.compactMap(IPNetwork.init) }) { server in
                let seen = try await Self.whoami(port: server.port, forwardedFor: ["198.51.100.7"])
                #expect(seen.hasPrefix("127.0.0.1:"), "\(trusted): \(seen)")
            }
        }
    }

    /// RFC 7239 when configured: its `for=` names the client, and `X-Forwarded-For` (which a proxy writing
    /// `Forwarded` passes on as the client wrote it) is ignored; and the other way round.
    @Test func onlyTheConfiguredHeaderIsRead() async throws {
        let proxies = ["127.0.0.0/8", "10.0.0.0/8"].compactMap(IPNetwork.init)
        try await withServer(Self.router(), configure: { $0.trustedProxies = proxies; $0.forwardedHeader = .forwarded }) { server in
            let forwarded = try await Self.whoami(
                port: server.port, forwardedFor: ["for=6.6.6.6", "for=198.51.100.7;proto=https, for=\"[2001:db8::a]:4711\";by=10.0.0.1"],
                header: "Forwarded")
            #expect(forwarded == "[2001:db8:0:0:0:0:0:a]")
            let both = try await offPool {
                try RawClient(port: server.port).roundTrip(
                    "GET /whoami HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6\r\nforwarded: For=\"198.51.100.9:80\"\r\n\r\n").bodyText
            }
            #expect(both == "198.51.100.9")
            let spoofed = try await Self.whoami(port: server.port, forwardedFor: ["6.6.6.6"])
            #expect(spoofed.hasPrefix("127.0.0.1:"), "X-Forwarded-For read though Forwarded is configured: \(spoofed)")
        }
        try await withServer(Self.router(), configure: { $0.trustedProxies = proxies }) { server in
            let spoofed = try await Self.whoami(port: server.port, forwardedFor: ["for=6.6.6.6"], header: "Forwarded")
            #expect(spoofed.hasPrefix("127.0.0.1:"), "Forwarded read though X-Forwarded-For is configured: \(spoofed)")
        }
    }
}
