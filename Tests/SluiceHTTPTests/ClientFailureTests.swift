import Foundation
import Glibc
import SluiceHTTP
import Testing

/// Bounds and error codes: oversize, timeouts, malformed responses, bad URLs and requests.
struct ClientFailureTests {
    static func code(_ body: () async throws -> Void) async -> HTTPClientError.Code? {
        do {
            try await body()
            return nil
        } catch let error as HTTPClientError {
            return error.code
        } catch {
            return nil
        }
    }

    @Test func rejectsDeclaredOversizedBody() async throws {
        let server = try ClientTestServer { _ in .raw("HTTP/1.1 200 OK\r\nContent-Length: 2097152\r\n\r\n") }
        defer { server.stop() }
        let client = try ClientHTTPTests.client()
        let url = "http://127.0.0.1:\(server.port)/"
        #expect(await Self.code { _ = try await client.execute(HTTPClientRequest(url: url)) } == .responseTooLarge)
        #expect(client.idleConnectionCount(for: url) == 0)
    }

    @Test func rejectsOversizedChunkedAndUnframedBodiesWithPerRequestCap() async throws {
        let big = String(repeating: "x", count: 200)
        let chunked = try ClientTestServer { _ in .raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nc8\r\n\(big)\r\n0\r\n\r\n") }
        let unframed = try ClientTestServer { _ in .raw("HTTP/1.1 200 OK\r\n\r\n\(big)", close: true) }
        defer { chunked.stop(); unframed.stop() }
        let client = try ClientHTTPTests.client()
        for server in [chunked, unframed] {
            let request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/", maxResponseBytes: 100)
            #expect(await Self.code { _ = try await client.execute(request) } == .responseTooLarge)
            let roomy = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/", maxResponseBytes: 200)
            #expect(try await client.execute(roomy).body.count == 200)
        }
    }

    @Test func rejectsOversizedHead() async throws {
        let server = try ClientTestServer { _ in .raw("HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 2000) + "\r\n\r\n") }
        defer { server.stop() }
        let client = try ClientHTTPTests.client { $0.maxResponseHeadBytes = 1024 }
        #expect(await Self.code { _ = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/")) } == .responseTooLarge)
    }

    @Test func hangingServerTimesOutWithinTheBound() async throws {
        let server = try ClientTestServer { _ in .hang }
        defer { server.stop() }
        let client = try ClientHTTPTests.client {
            $0.readTimeout = .milliseconds(300)
            $0.totalTimeout = .seconds(1)
        }
        let started = ContinuousClock.now
        #expect(await Self.code { _ = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/")) } == .timeout)
        // Not a speed check: the server never answers, so only a timeout ends the call; this catches one
        // that fired only by some much later accident (far above the 1 s total timeout).
        #expect(started.duration(to: .now) < .seconds(60))
    }

    @Test func totalTimeoutCapsSlowTrickle() async throws {
        let server = try ClientTestServer { _ in .hang }
        defer { server.stop() }
        let client = try ClientHTTPTests.client {
            $0.readTimeout = .seconds(10)
            $0.totalTimeout = .milliseconds(400)
        }
        #expect(await Self.code { _ = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/")) } == .timeout)
    }

    @Test func cancellationStopsAHangingRequest() async throws {
        let server = try ClientTestServer { _ in .hang }
        defer { server.stop() }
        let client = try ClientHTTPTests.client { $0.readTimeout = .seconds(30); $0.totalTimeout = .seconds(30) }
        let task = Task { try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/")) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        #expect(await Self.code { _ = try await task.value } == .cancelled)
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/2 200 OK\r\n\r\n",
        "SMTP ready\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
        "HTTP/1.1 200 OK\r\n folded: yes\r\n\r\n",
    ])
    func rejectsMalformedResponses(_ raw: String) async throws {
        let server = try ClientTestServer { _ in .raw(raw, close: true) }
        defer { server.stop() }
        let client = try ClientHTTPTests.client()
        #expect(await Self.code { _ = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/")) } == .malformedResponse)
    }

    @Test func truncatedBodyIsConnectionClosed() async throws {
        let server = try ClientTestServer { _ in .raw("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", close: true) }
        defer { server.stop() }
        let client = try ClientHTTPTests.client()
        #expect(await Self.code { _ = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/")) } == .connectionClosed)
    }

    @Test func refusedConnectionIsConnectFailed() async throws {
        // Take a free port, then close the listener so nothing is there.
        let port: Int
        do {
            let server = try ClientTestServer { _ in .ok("") }
            port = server.port
            server.stop()
        }
        try await Task.sleep(for: .milliseconds(300))
        let client = try ClientHTTPTests.client()
        #expect(await Self.code { _ = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/")) } == .connectFailed)
    }

    @Test func unknownHostIsNameResolutionFailure() async throws {
        let client = try ClientHTTPTests.client()
        #expect(await Self.code { _ = try await client.execute(HTTPClientRequest(url: "http://no-such-host.invalid/")) } == .nameResolutionFailed)
    }

    @Test(arguments: [
        "http://user:pass@127.0.0.1/", "https://user@example.com/", "ftp://example.com/", "example.com/path",
        "http:///path", "http://exa mple.com/", "http://example.com:0/", "http://example.com:65536/",
        "http://[::1/", "http://ex%41mple.com/", "http://example.com/ä",
    ])
    func rejectsInvalidURLs(_ url: String) async throws {
        let client = try ClientHTTPTests.client()
        #expect(await Self.code { _ = try await client.execute(HTTPClientRequest(url: url)) } == .invalidURL)
    }

    @Test func rejectsHeaderInjectionAndBadMethod() async throws {
        let client = try ClientHTTPTests.client()
        var headers = HTTPHeaders()
        headers.add("X-Evil", "a\r\nInjected: 1")
        #expect(await Self.code { _ = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:1/", headers: headers)) } == .invalidRequest)
        #expect(await Self.code { _ = try await client.execute(HTTPClientRequest(method: "GE T", url: "http://127.0.0.1:1/")) } == .invalidRequest)
    }

    @Test func badExtraCAFileFailsAtInit() {
        let error = #expect(throws: HTTPClientError.self) {
            try HTTPClient(configuration: HTTPClientConfiguration(extraCAFile: "/nonexistent/ca.pem"))
        }
        #expect(error?.code == .tlsConfiguration)
    }
}
