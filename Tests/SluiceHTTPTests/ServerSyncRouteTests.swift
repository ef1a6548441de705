import SluiceTestSupport
import Synchronization
import Testing
@testable import SluiceHTTP

/// Synchronous routes (`Router.addSync`) over real sockets: answered inline on the event loop, with
/// the same framing, limits, request ids and ordering as async routes.
struct ServerSyncRouteTests {
    static func router(observed: Counter? = nil) -> Router {
        var router = Router()
        router.addSync(.POST, "/sync-echo", options: RouteOptions(bodyLimit: 4096)) { request in
            var headers = HTTPHeaders()
            headers.add("X-Seen-Id", request.requestId)
            return HTTPResponse(status: .ok, headers: headers, body: .bytes(request.body))
        }
        router.addSync(.GET, "/sync/{name}") { request in .text("sync \(request.pathParameters["name"] ?? "")") }
        router.addSync(.GET, "/sync-fail") { _ in throw TeapotError() }
        router.add(.GET, "/async/{ms}") { request in
            let ms = Int(request.pathParameters["ms"] ?? "0") ?? 0
            try await Task.sleep(for: .milliseconds(ms))
            return .text("async \(ms)")
        }
        return router
    }

    struct TeapotError: HTTPResponseError {
        var response: HTTPResponse { .error(HTTPStatus(code: 418), code: "teapot", message: "short and stout") }
    }

    @Test func syncRouteEchoesBodyAndRequestId() async throws {
        try await withServer(Self.router()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                for i in 0..<20 {
                    let body = String(repeating: "b", count: i * 100)
                    let r = try client.roundTrip(
                        "POST /sync-echo HTTP/1.1\r\nHost: x\r\nX-Request-Id: req-\(i)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
                    #expect(r.status == 200)
                    #expect(r.bodyText == body)
                    #expect(r.headers["X-Request-Id"] == "req-\(i)")
                    #expect(r.headers["X-Seen-Id"] == "req-\(i)")
                }
            }
        }
    }

    @Test func syncRouteKeepsBodyLimitAndPathParameters() async throws {
        try await withServer(Self.router()) { server in
            let port = server.port
            try await offPool {
                let big = try RawClient(port: port)
                let tooLarge = try big.roundTrip("POST /sync-echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")
                #expect(tooLarge.status == 413)
                let client = try RawClient(port: port)
                let r = try client.roundTrip("GET /sync/a%40b HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(r.bodyText == "sync a@b")
                let head = try client.roundTrip("HEAD /sync/x HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(head.status == 200)
                #expect(head.body.isEmpty)
                let failed = try client.roundTrip("GET /sync-fail HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(failed.status == 418)
                #expect(failed.bodyText.contains("teapot"))
            }
        }
    }

    @Test func pipelinedSyncAndAsyncAnswersStayInOrder() async throws {
        try await withServer(Self.router(), configure: { $0.threads = 1 }) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let requests = [
                    "GET /async/150 HTTP/1.1\r\nHost: x\r\n\r\n", "GET /sync/one HTTP/1.1\r\nHost: x\r\n\r\n",
                    "GET /async/0 HTTP/1.1\r\nHost: x\r\n\r\n", "GET /sync/two HTTP/1.1\r\nHost: x\r\n\r\n",
                    "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n",
                ]
                try client.send(requests.joined())
                #expect(try client.readResponse().bodyText == "async 150")
                #expect(try client.readResponse().bodyText == "sync one")
                #expect(try client.readResponse().bodyText == "async 0")
                #expect(try client.readResponse().bodyText == "sync two")
                #expect(try client.readResponse().status == 404)
            }
        }
    }

    @Test func syncRouteIsObservedLikeAnyOther() async throws {
        let statuses = Mutex<[Int]>([])
        try await withServer(Self.router(), configure: { config in
            config.observer = { o in statuses.withLock { $0.append(o.status) } }
        }) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                _ = try client.roundTrip("GET /sync/x HTTP/1.1\r\nHost: x\r\n\r\n")
                _ = try client.roundTrip("GET /sync-fail HTTP/1.1\r\nHost: x\r\n\r\n")
            }
        }
        #expect(statuses.withLock { $0 } == [200, 418])
    }
}
