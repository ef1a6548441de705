import SluiceCore
import SluiceTestSupport
import Testing
@testable import SluiceHTTP

/// `trustedProxies` over real sockets: a request from a trusted proxy carries its forwarded client as
/// `remoteAddress` and in the access log; from anyone else `X-Forwarded-For` changes nothing.
struct ServerTrustedProxyTests {
    static func router() -> Router {
        var router = Router()
        router.addSync(.GET, "/whoami") { request in .text(request.remoteAddress) }
        return router
    }

    static func whoami(port: Int, forwardedFor: [String]) async throws -> String {
        try await offPool {
            let client = try RawClient(port: port)
            let headers = forwardedFor.map { "X-Forwarded-For: \($0)\r\n" }.joined()
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
}
