import SluiceTestSupport
import Synchronization
import Testing
@testable import SluiceHTTP

/// Answers decided from the request head alone (`HTTPResponder.responseBeforeBody`): a refused
/// credential, 404 and 405 go out before `100 Continue` and before any body byte is read.
struct ServerAnswerBeforeBodyTests {
    static let token = "s3cret"

    static func router(handled: Counter) -> Router {
        let authorization = RouteAuthorization(name: "bearer") { request in
            if request.headers["authorization"] == "Bearer \(token)" { return nil }
            var headers = HTTPHeaders()
            headers.set("WWW-Authenticate", "Bearer realm=\"test\"")
            return .error(.unauthorized, code: "unauthorized", message: "missing or invalid bearer token", headers: headers)
        }
        var router = Router()
        router.add(.POST, "/upload", options: RouteOptions(bodyLimit: 64 * 1024 * 1024, authorization: authorization)) { request in
            handled.add()
            return .text("got \(request.body.count)")
        }
        router.add(.GET, "/hello") { _ in .text("hello") }
        return router
    }

    /// A server whose observer records the request body bytes of every finished request.
    static func withObservedServer(
        handled: Counter, _ body: @escaping @Sendable (Int) throws -> Void
    ) async throws -> [RequestObservation] {
        let observations = Mutex<[RequestObservation]>([])
        try await withServer(Self.router(handled: handled), configure: { config in
            config.observer = { o in observations.withLock { $0.append(o) } }
        }) { server in
            let port = server.port
            try await offPool { try body(port) }
        }
        return observations.withLock { $0 }
    }

    @Test func unauthenticatedLargeUploadIsRefusedBeforeContinueAndBody() async throws {
        let handled = Counter()
        let seen = try await Self.withObservedServer(handled: handled) { port in
            let client = try RawClient(port: port)
            // 50 MB announced, none sent: the answer must not wait for (or ask for) the body.
            try client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 52428800\r\nExpect: 100-continue\r\n\r\n")
            let r = try client.readResponse()
            #expect(r.status == 401)
            #expect(r.headers["WWW-Authenticate"] == "Bearer realm=\"test\"")
            #expect(r.headers["Connection"] == "close")
            #expect(r.errorCode == "unauthorized")
            #expect(client.isClosedByPeer())
        }
        #expect(handled.value == 0)
        #expect(seen.map(\.status) == [401])
        #expect(seen.first?.requestBodyBytes == 0)
    }

    @Test func wrongTokenWithBodyAlreadySentIsRefusedAndClosed() async throws {
        let handled = Counter()
        _ = try await Self.withObservedServer(handled: handled) { port in
            let client = try RawClient(port: port)
            let body = String(repeating: "b", count: 4096)
            try client.send("POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\nContent-Length: 4096\r\n\r\n\(body)")
            let r = try client.readResponse()
            #expect(r.status == 401)
            #expect(r.headers["Connection"] == "close")
            #expect(client.isClosedByPeer())
        }
        #expect(handled.value == 0)
    }

    @Test func authenticatedUploadGetsContinueAndIsHandled() async throws {
        let handled = Counter()
        let seen = try await Self.withObservedServer(handled: handled) { port in
            let client = try RawClient(port: port)
            try client.send(
                "POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(Self.token)\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n")
            let interim = try client.readResponse()
            #expect(interim.status == 100)
            try client.send(String(repeating: "u", count: 100_000))
            let r = try client.readResponse()
            #expect(r.status == 200)
            #expect(r.bodyText == "got 100000")
            #expect(r.headers["Connection"] == nil)
            // Still keep-alive: the next request on the connection is served.
            #expect(try client.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").bodyText == "hello")
        }
        #expect(handled.value == 1)
        #expect(seen.first?.requestBodyBytes == 100_000)
    }

    @Test func refusalWithoutBodyKeepsTheConnection() async throws {
        let handled = Counter()
        _ = try await Self.withObservedServer(handled: handled) { port in
            let client = try RawClient(port: port)
            let r = try client.roundTrip("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            #expect(r.status == 401)
            #expect(r.headers["Connection"] == nil)
            #expect(try client.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
        }
        #expect(handled.value == 0)
    }

    @Test(arguments: [("POST /nowhere", 404), ("PUT /hello", 405)])
    func unroutedRequestWithBodyIsAnsweredWithoutContinue(_ requestLine: String, _ status: Int) async throws {
        let handled = Counter()
        let seen = try await Self.withObservedServer(handled: handled) { port in
            let client = try RawClient(port: port)
            try client.send("\(requestLine) HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\nExpect: 100-continue\r\n\r\n")
            let r = try client.readResponse()
            #expect(r.status == status)
            #expect(r.headers["Connection"] == "close")
            #expect(client.isClosedByPeer())
        }
        #expect(seen.map(\.status) == [status])
        #expect(seen.first?.requestBodyBytes == 0)
    }

    @Test func unroutedRequestWithoutBodyKeepsTheConnection() async throws {
        let handled = Counter()
        _ = try await Self.withObservedServer(handled: handled) { port in
            let client = try RawClient(port: port)
            #expect(try client.roundTrip("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n").status == 404)
            #expect(try client.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
        }
    }
}
