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

    @Test func answersUnknownVersionWith505() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let r = try client.roundTrip("GET /hello HTTP/2.0\r\nHost: x\r\n\r\n")
                #expect(r.status == 505)
                #expect(r.errorCode == "http_version_not_supported")
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
