import Testing
@testable import SluiceHTTP

/// Router matching, in process (no sockets).
struct RouterTests {
    static func router() -> Router {
        var router = Router()
        router.add(.POST, "/sns/{name}", options: RouteOptions(bodyLimit: 256 * 1024)) { request in
            .text("sns \(request.pathParameters["name"] ?? "")")
        }
        router.add(.GET, "/v1/suppressions/{address}") { request in
            .text("get \(request.pathParameters["address"] ?? "")")
        }
        router.add(.DELETE, "/v1/suppressions/{address}") { _ in HTTPResponse(status: .noContent) }
        router.add(.GET, "/v1/suppressions") { _ in .json(["items": [String]()]) }
        router.add(.POST, "/v1/import", options: RouteOptions(bodyLimit: 1 << 30, streamingBody: true)) { _ in .text("ok") }
        router.add(.GET, "/boom") { _ in throw TestError() }
        return router
    }

    struct TestError: Error {}

    @Test func matchesPathParametersPercentDecoded() async throws {
        let r = await Self.router().respond(to: HTTPRequest(method: .GET, target: "/v1/suppressions/a%40b.com"))
        #expect(String(decoding: try await r.collectBody(), as: UTF8.self) == "get a@b.com")
    }

    @Test func unknownPathIs404JSON() async throws {
        let r = await Self.router().respond(to: HTTPRequest(method: .GET, target: "/nope"))
        #expect(r.status == .notFound)
        #expect(r.headers["Content-Type"] == "application/json")
        #expect(String(decoding: try await r.collectBody(), as: UTF8.self) == #"{"error":{"code":"not_found","message":"No route for this path"}}"#)
    }

    @Test func wrongMethodIs405WithAllow() async {
        let r = await Self.router().respond(to: HTTPRequest(method: .PUT, target: "/v1/suppressions/x"))
        #expect(r.status == .methodNotAllowed)
        #expect(r.headers["Allow"] == "GET, DELETE, HEAD")
    }

    /// Found by schemathesis (ST205): "/v1/suppressions/export" advertised the {address} route's
    /// methods too; a literal segment now wins over a parameter, for matching and for `Allow`.
    @Test func literalSegmentWinsOverParameter() async throws {
        var router = Self.router()
        router.add(.GET, "/v1/suppressions/export") { _ in .text("export") }
        let get = await router.respond(to: HTTPRequest(method: .GET, target: "/v1/suppressions/export"))
        #expect(String(decoding: try await get.collectBody(), as: UTF8.self) == "export")
        let delete = await router.respond(to: HTTPRequest(method: .DELETE, target: "/v1/suppressions/export"))
        #expect(delete.status == .methodNotAllowed)
        #expect(delete.headers["Allow"] == "GET, HEAD")
        let other = await router.respond(to: HTTPRequest(method: .DELETE, target: "/v1/suppressions/a%40b.com"))
        #expect(other.status == .noContent)
    }

    @Test func headUsesGetRoute() async throws {
        let r = await Self.router().respond(to: HTTPRequest(method: .HEAD, target: "/v1/suppressions/x"))
        #expect(r.status == .ok)
    }

    @Test func bodyPolicyComesFromRouteOptions() {
        let router = Self.router()
        let sns = router.bodyPolicy(for: HTTPRequest(method: .POST, target: "/sns/bounces"))
        #expect(sns == HTTPBodyPolicy(limit: 256 * 1024, streaming: false, routePattern: "/sns/{name}"))
        let importing = router.bodyPolicy(for: HTTPRequest(method: .POST, target: "/v1/import"))
        #expect(importing.streaming)
        let unknown = router.bodyPolicy(for: HTTPRequest(method: .POST, target: "/nope"))
        #expect(unknown.routePattern == nil)
    }

    @Test func listsRoutesForOpenAPIComparison() {
        let listed = Self.router().routes.map { "\($0.method) \($0.pattern)" }
        #expect(listed == [
            "POST /sns/{name}", "GET /v1/suppressions/{address}", "DELETE /v1/suppressions/{address}",
            "GET /v1/suppressions", "POST /v1/import", "GET /boom",
        ])
    }

    @Test func thrownErrorsBecomeOpaque500() async throws {
        let r = await Self.router().respond(to: HTTPRequest(method: .GET, target: "/boom"))
        #expect(r.status == .internalServerError)
        #expect(String(decoding: try await r.collectBody(), as: UTF8.self).contains("internal_error"))
    }

    @Test func emptySegmentDoesNotMatchParameter() async {
        let r = await Self.router().respond(to: HTTPRequest(method: .POST, target: "/sns/"))
        #expect(r.status == .notFound)
    }

    @Test func decodesQueryItems() {
        let request = HTTPRequest(method: .GET, target: "/x?a=1&b=hello+world&c=%2F%26&d")
        #expect(request.query("b") == "hello world")
        #expect(request.query("c") == "/&")
        #expect(request.query("d") == "")
        #expect(request.pathSegments == ["x"])
    }

    @Test func syncRoutesAnswerWithoutSuspendingAndAsyncOnesDoNot() async throws {
        var router = Self.router()
        router.addSync(.GET, "/fast/{id}", options: RouteOptions(bodyLimit: 10, streamingBody: true)) { request in
            .text("fast \(request.pathParameters["id"] ?? "")")
        }
        router.addSync(.GET, "/fast-boom") { _ in throw TestError() }
        let fast = HTTPRequest(method: .GET, target: "/fast/a%20b")
        let match = router.match(.GET, fast.pathSegments)
        #expect(router.isSynchronous(match))
        let inline = try #require(router.respondSynchronously(to: fast, match: match))
        #expect(String(decoding: try await inline.collectBody(), as: UTF8.self) == "fast a b")
        // The same answer through the public async entry point.
        let viaAsync = await router.respond(to: fast)
        #expect(String(decoding: try await viaAsync.collectBody(), as: UTF8.self) == "fast a b")
        // A sync handler cannot read a stream: its body is buffered under the route's limit.
        #expect(router.bodyPolicy(for: fast) == HTTPBodyPolicy(limit: 10, streaming: false, routePattern: "/fast/{id}"))
        let boom = await router.respond(to: HTTPRequest(method: .GET, target: "/fast-boom"))
        #expect(boom.status == .internalServerError)
        // Async routes are left to a task; 404 and 405 need none.
        let slow = HTTPRequest(method: .GET, target: "/v1/suppressions")
        #expect(router.respondSynchronously(to: slow, match: router.match(.GET, slow.pathSegments)) == nil)
        #expect(router.respondSynchronously(to: slow, match: router.match(.GET, ["nope"]))?.status == .notFound)
        #expect(router.respondSynchronously(to: slow, match: router.match(.PUT, slow.pathSegments))?.status == .methodNotAllowed)
    }

    @Test func authorizationSeesThePreparedHeadAndOnlyItsRoute() throws {
        let seen = Counter()
        let tenantOnly = RouteAuthorization(name: "tenant") { request in
            seen.add()
            #expect(request.routePattern == "/t/{tenant}/upload")
            return request.pathParameters["tenant"] == "a" ? nil : .error(.forbidden, code: "forbidden", message: "other tenant")
        }
        var router = Self.router()
        router.add(.POST, "/t/{tenant}/upload", options: RouteOptions(authorization: tenantOnly)) { _ in .text("ok") }
        func early(_ method: HTTPMethod, _ target: String) -> HTTPResponse? {
            router.responseBeforeBody(to: HTTPRequest(method: method, target: target))
        }
        #expect(early(.POST, "/t/a/upload") == nil)
        #expect(early(.POST, "/t/b/upload")?.status == .forbidden)
        #expect(seen.value == 2)
        // Routes without a check go on to their body; unrouted requests are answered from the head.
        #expect(early(.POST, "/sns/x") == nil)
        #expect(early(.POST, "/nope")?.status == .notFound)
        #expect(early(.GET, "/t/a/upload")?.status == .methodNotAllowed)
        #expect(seen.value == 2)
    }

    @Test func authorizationsCompareByName() {
        let a = RouteAuthorization(name: "bearer") { _ in nil }
        let b = RouteAuthorization(name: "bearer") { _ in .text("no") }
        #expect(RouteOptions(authorization: a) == RouteOptions(authorization: b))
        #expect(RouteOptions(authorization: a) != RouteOptions(authorization: RouteAuthorization(name: "basic") { _ in nil }))
        #expect(RouteOptions(authorization: a) != RouteOptions())
    }

    @Test func splitsTargetsLikeBefore() {
        #expect(RequestTarget.split("/").segments == [])
        #expect(RequestTarget.split("").segments == [])
        #expect(RequestTarget.split("/a/").segments == ["a", ""])
        #expect(RequestTarget.split("//").segments == ["", ""])
        #expect(RequestTarget.split("*").segments == ["*"])
        #expect(RequestTarget.split("/a%zz").segments == nil)
        let withQuery = RequestTarget.split("/a/b%2Fc?x=1")
        #expect(withQuery.path == "/a/b%2Fc")
        #expect(withQuery.segments == ["a", "b/c"])
        #expect(withQuery.query.map(\.name) == ["x"])
    }
}
