import SluiceTestSupport
import Testing
@testable import SluiceHTTP

/// HTTP/1.1 protocol behaviour over real sockets.
struct ServerProtocolTests {
    @Test func servesSimpleGetWithKeepAlive() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                for _ in 0..<3 {
                    let r = try client.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                    #expect(r.status == 200)
                    #expect(r.bodyText == "hello")
                    #expect(r.headers["Connection"] == nil)
                    #expect(r.headers["X-Request-Id"]?.count == 16)
                    #expect(r.headers["Date"]?.hasSuffix(" GMT") == true)
                }
            }
        }
    }

    @Test func answersPipelinedRequestsInOrder() async throws {
        var router = Router()
        router.add(.GET, "/wait/{ms}") { request in
            let ms = Int(request.pathParameters["ms"] ?? "0") ?? 0
            try await Task.sleep(for: .milliseconds(ms))
            return .text("done \(ms)")
        }
        try await withServer(router) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let delays = [300, 0, 150, 0, 50]
                try client.send(delays.map { "GET /wait/\($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined())
                for ms in delays {
                    let r = try client.readResponse()
                    #expect(r.bodyText == "done \(ms)")
                }
            }
        }
    }

    @Test func decodesChunkedBodyIgnoringExtensionsAndTrailers() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let request = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"
                let r = try client.roundTrip(request)
                #expect(r.status == 200)
                #expect(r.bodyText == "hello, world")
                // The connection stays usable after a chunked body.
                #expect(try client.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").bodyText == "hello")
            }
        }
    }

    @Test func sendsContinueOnlyWhenTheBodyWillBeAccepted() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
                let interim = try client.readResponse()
                #expect(interim.status == 100)
                try client.send("ping")
                let final = try client.readResponse()
                #expect(final.status == 200)
                #expect(final.bodyText == "ping")

                let rejected = try RawClient(port: port)
                try rejected.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n")
                let r = try rejected.readResponse()
                #expect(r.status == 413)
                #expect(r.headers["Connection"] == "close")
            }
        }
    }

    @Test func headIsServedByGetRouteWithoutBody() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let r = try client.roundTrip("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(r.status == 200)
                #expect(r.headers["Content-Length"] == "5")
                // If a body had been sent, it would be parsed as this response's status line.
                let next = try client.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(next.status == 200)
                #expect(next.bodyText == "hello")
            }
        }
    }

    @Test func honoursConnectionCloseFromClient() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let r = try client.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                #expect(r.status == 200)
                #expect(r.headers["Connection"] == "close")
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func closesHTTP10ByDefaultAndKeepsAliveOnRequest() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let r = try client.roundTrip("GET /hello HTTP/1.0\r\n\r\n")
                #expect(r.status == 200)
                #expect(client.isClosedByPeer())

                let keep = try RawClient(port: port)
                let k = try keep.roundTrip("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                #expect(k.headers["Connection"] == "keep-alive")
                #expect(try keep.roundTrip("GET /hello HTTP/1.0\r\n\r\n").status == 200)
            }
        }
    }

    @Test func echoesSaneRequestIdAndReplacesUnsafeOnes() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let good = try client.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-123_x.y\r\n\r\n")
                #expect(good.headers["X-Request-Id"] == "abc-123_x.y")
                let bad = try client.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-Id: <script>\r\n\r\n")
                let id = try #require(bad.headers["X-Request-Id"])
                #expect(id != "<script>")
                #expect(id.count == 16)
            }
        }
    }

    @Test(arguments: ["HTTP/2.0", "HTTP/0.9", "HTTP/3.1"])
    func answersOtherMajorVersionsWith505(_ version: String) async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let r = try client.roundTrip("GET /hello \(version)\r\nHost: x\r\n\r\n")
                #expect(r.status == 505)
                #expect(r.errorCode == "http_version_not_supported")
            }
        }
    }

    /// RFC 9110 §2.5: a higher 1.x minor version is processed as HTTP/1.1.
    @Test func servesHigherMinorVersionAsHTTP11() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("GET /hello HTTP/1.2\r\nHost: x\r\n\r\n")
                let r = try client.readResponse()
                #expect(r.status == 200)
                #expect(r.bodyText == "hello")
                // Kept alive as 1.1 would be.
                #expect(try client.roundTrip("GET /hello HTTP/1.9\r\nHost: x\r\n\r\n").status == 200)
                // And held to 1.1's rules: Host is required.
                let noHost = try RawClient(port: port)
                #expect(try noHost.roundTrip("GET /hello HTTP/1.2\r\n\r\n").status == 400)
            }
        }
    }

    /// RFC 9112 §2.2: an empty line after a body is ignored, and the connection is idle again rather
    /// than holding a head that never completes (which earned a 408 after the header timeout).
    @Test func strayEmptyLineAfterBodyLeavesTheConnectionIdle() async throws {
        try await withServer(echoRouter(), configure: { $0.headerReadTimeout = .milliseconds(300) }) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let r = try client.roundTrip("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nping\r\n")
                #expect(r.bodyText == "ping")
                // Well past the header timeout: no 408 may be waiting, and the connection still serves.
                #expect(!client.hasDataWaiting(timeoutMilliseconds: 1000))
                #expect(try client.roundTrip("\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n").bodyText == "hello")
            }
        }
    }

    @Test func routesPercentDecodedPathParameters() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let r = try client.roundTrip("GET /n/a%20b%2Fc HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(r.bodyText == "n=a b/c")
                let missing = try client.roundTrip("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(missing.status == 404)
                #expect(missing.errorCode == "not_found")
                let wrong = try client.roundTrip("DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(wrong.status == 405)
                #expect(wrong.headers["Allow"] == "GET, HEAD")
            }
        }
    }
}
