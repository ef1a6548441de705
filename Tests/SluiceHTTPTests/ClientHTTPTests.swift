import Foundation
import SluiceHTTP
import Testing

/// HTTPClient against a real plain-HTTP server on 127.0.0.1.
struct ClientHTTPTests {
    static func client(_ configure: (inout HTTPClientConfiguration) -> Void = { _ in }) throws -> HTTPClient {
        var configuration = HTTPClientConfiguration(connectTimeout: .seconds(2), readTimeout: .seconds(3), totalTimeout: .seconds(5))
        configure(&configuration)
        return try HTTPClient(configuration: configuration)
    }

    @Test func getReturnsStatusHeadersAndBody() async throws {
        let server = try ClientTestServer { _ in .ok("hello", headers: ["Content-Type: text/plain"]) }
        defer { server.stop() }
        let response = try await Self.client().execute(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/path?q=1"))
        #expect(response.status == 200)
        #expect(response.reason == "OK")
        #expect(response.headers["content-type"] == "text/plain")
        #expect(response.bodyText == "hello")
        let request = try #require(server.requests.first)
        #expect(request.requestLine == "GET /path?q=1 HTTP/1.1")
        #expect(request.header("Host") == "127.0.0.1:\(server.port)")
        #expect(request.header("User-Agent") == "sluice/1.0")
    }

    @Test func postSendsBodyWithContentLength() async throws {
        let server = try ClientTestServer { request in .ok(String(decoding: request.body.reversed(), as: UTF8.self)) }
        defer { server.stop() }
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/x-www-form-urlencoded")
        headers.add("Content-Length", "999")  // ignored: the client owns framing
        let response = try await Self.client().execute(HTTPClientRequest(
            method: "POST", url: "http://127.0.0.1:\(server.port)/", headers: headers, body: Array("abc=1".utf8)))
        #expect(response.bodyText == "1=cba")
        #expect(server.requests.first?.header("Content-Length") == "5")
    }

    @Test func decodesChunkedResponseWithExtensionsAndTrailers() async throws {
        let server = try ClientTestServer { _ in
            .raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=x\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n")
        }
        defer { server.stop() }
        let client = try Self.client()
        let url = "http://127.0.0.1:\(server.port)/"
        #expect(try await client.execute(HTTPClientRequest(url: url)).bodyText == "hello, world")
        // The connection stays usable after a chunked body.
        #expect(try await client.execute(HTTPClientRequest(url: url)).bodyText == "hello, world")
        #expect(server.connectionCount == 1)
    }

    @Test func readsBodyUntilCloseWhenUnframed() async throws {
        let server = try ClientTestServer { _ in .raw("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nno length here", close: true) }
        defer { server.stop() }
        let client = try Self.client()
        let url = "http://127.0.0.1:\(server.port)/"
        #expect(try await client.execute(HTTPClientRequest(url: url)).bodyText == "no length here")
        #expect(client.idleConnectionCount(for: url) == 0)
    }

    @Test func reusesKeepAliveConnection() async throws {
        let server = try ClientTestServer { _ in .ok("again") }
        defer { server.stop() }
        let client = try Self.client()
        let url = "http://127.0.0.1:\(server.port)/"
        _ = try await client.execute(HTTPClientRequest(url: url))
        #expect(client.idleConnectionCount(for: url) == 1)
        let second = try await client.execute(HTTPClientRequest(url: url + "second"))
        #expect(second.bodyText == "again")
        #expect(server.connectionCount == 1)
        #expect(server.requests.count == 2)
    }

    @Test func recoversWhenServerDropsAnIdleConnection() async throws {
        // The server closes after each response without saying so; the next request must still work.
        let server = try ClientTestServer { _ in .ok("fresh", close: true) }
        defer { server.stop() }
        let client = try Self.client()
        let url = "http://127.0.0.1:\(server.port)/"
        #expect(try await client.execute(HTTPClientRequest(url: url)).bodyText == "fresh")
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await client.execute(HTTPClientRequest(url: url)).bodyText == "fresh")
        #expect(server.connectionCount == 2)
    }

    @Test func retriesIdempotentRequestOnceWhenPooledConnectionWasDropped() async throws {
        // Request 1 keeps the connection alive; request 2 arrives on it and is dropped unanswered.
        let server = try ClientTestServer { $0.index == 1 ? .drop : .ok("r\($0.index)") }
        defer { server.stop() }
        let client = try Self.client()
        let url = "http://127.0.0.1:\(server.port)/"
        #expect(try await client.execute(HTTPClientRequest(url: url)).bodyText == "r0")
        #expect(try await client.execute(HTTPClientRequest(url: url)).bodyText == "r2")
        #expect(server.connectionCount == 2)
    }

    @Test func doesNotRetryNonIdempotentRequest() async throws {
        let server = try ClientTestServer { $0.index == 1 ? .drop : .ok("r\($0.index)") }
        defer { server.stop() }
        let client = try Self.client()
        let url = "http://127.0.0.1:\(server.port)/"
        _ = try await client.execute(HTTPClientRequest(method: "POST", url: url))
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client.execute(HTTPClientRequest(method: "POST", url: url, body: [1]))
        }
        #expect(error?.code == .connectionClosed)
        #expect(server.requests.count == 2)
    }

    @Test func disablingPoolingSendsConnectionClose() async throws {
        let server = try ClientTestServer { _ in .ok("x") }
        defer { server.stop() }
        let client = try Self.client { $0.maxIdleConnectionsPerHost = 0 }
        let url = "http://127.0.0.1:\(server.port)/"
        _ = try await client.execute(HTTPClientRequest(url: url))
        #expect(server.requests.first?.header("Connection") == "close")
        #expect(client.idleConnectionCount(for: url) == 0)
    }

    @Test func redirectIsReturnedAsIs() async throws {
        let server = try ClientTestServer { _ in .ok("", status: "302 Found", headers: ["Location: http://example.invalid/"]) }
        defer { server.stop() }
        let response = try await Self.client().execute(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/"))
        #expect(response.status == 302)
        #expect(response.headers["Location"] == "http://example.invalid/")
        #expect(server.requests.count == 1)
    }

    @Test func headResponseHasNoBodyDespiteContentLength() async throws {
        let server = try ClientTestServer { _ in .raw("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n") }
        defer { server.stop() }
        let client = try Self.client()
        let url = "http://127.0.0.1:\(server.port)/"
        let response = try await client.execute(HTTPClientRequest(method: "HEAD", url: url))
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(client.idleConnectionCount(for: url) == 1)
    }

    @Test func skipsInterimContinueResponse() async throws {
        let server = try ClientTestServer { _ in .raw("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok") }
        defer { server.stop() }
        let response = try await Self.client().execute(HTTPClientRequest(method: "PUT", url: "http://127.0.0.1:\(server.port)/", body: [1]))
        #expect(response.status == 201)
        #expect(response.bodyText == "ok")
    }
}
