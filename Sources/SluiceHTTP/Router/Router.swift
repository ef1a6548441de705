/// Maps method + path pattern to handlers. Unknown paths get a JSON 404, known paths with another
/// method a JSON 405 with `Allow`; HEAD is served by the GET route (the server drops the body).
///
/// Routes are async (`add`, run as a Swift task on the connection's event loop) or synchronous
/// (`addSync`, run inline on the event loop thread without a task: cheaper, for handlers that
/// never wait, such as probes).
public struct Router: HTTPResponder {
    /// A route handler; a thrown error becomes a JSON 500 unless it is an `HTTPResponseError`.
    public typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse
    /// A handler that never suspends; it runs on the event loop thread and must not block.
    public typealias SyncHandler = @Sendable (HTTPRequest) throws -> HTTPResponse

    enum RouteHandler: Sendable {
        case async(Handler)
        case sync(SyncHandler)
    }

    struct Route: Sendable {
        var method: HTTPMethod
        var pattern: RoutePattern
        var options: RouteOptions
        var handler: RouteHandler
    }

    /// The outcome of matching a request's method and path, computed once per request by the server.
    enum Match: Sendable {
        case found(Int, [String: String])
        /// `route`: the most specific route of the path (another method).
        case wrongMethod(allowed: [HTTPMethod], route: Int)
        /// `redacted`: what access logs show for a path under a route whose path is a credential
        /// (`/u/{token}/…` for `/u/TOKEN/x`); nil for any other path.
        case notFound(redacted: String?)
    }

    private var table: [Route] = []

    public init() {}

    /// Registers `handler` for `method` and `pattern` ("/a/{id}/b"); a later duplicate replaces it.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, options: RouteOptions = RouteOptions(), _ handler: @escaping Handler) {
        insert(method, pattern, options, .async(handler))
    }

    /// Registers a synchronous `handler`: the server calls it inline on the event loop thread, with
    /// no task, so it must neither block nor take long. `options.streamingBody` does not apply (the
    /// body is buffered, up to `options.bodyLimit`); `options.runsOffLoop` still moves it to the pool.
    public mutating func addSync(_ method: HTTPMethod, _ pattern: String, options: RouteOptions = RouteOptions(), _ handler: @escaping SyncHandler) {
        var options = options
        options.streamingBody = false
        insert(method, pattern, options, .sync(handler))
    }

    private mutating func insert(_ method: HTTPMethod, _ pattern: String, _ options: RouteOptions, _ handler: RouteHandler) {
        let parsed = RoutePattern(pattern)
        table.removeAll { $0.method == method && $0.pattern.segments == parsed.segments }
        table.append(Route(method: method, pattern: parsed, options: options, handler: handler))
    }

    /// Every registered route in registration order.
    public var routes: [RouteDescription] {
        table.map { RouteDescription(method: $0.method, pattern: $0.pattern.text, options: $0.options) }
    }

    func match(_ method: HTTPMethod, _ segments: [String]) -> Match {
        // Literal segments win over parameters ("/v1/suppressions/export" is not an {address}), so
        // only the most specific patterns matching the path take part, and `Allow` lists their methods.
        var best = -1
        for i in table.indices where table[i].pattern.matches(segments) {
            if best < 0 || RoutePattern.isMoreSpecific(table[i].pattern.literalMask, than: table[best].pattern.literalMask) { best = i }
        }
        guard best >= 0 else { return .notFound(redacted: redactedPrefix(of: segments)) }
        let bestMask = table[best].pattern.literalMask
        var allowed: [HTTPMethod] = []
        var getFallback: Int?
        for i in table.indices where table[i].pattern.literalMask == bestMask && table[i].pattern.matches(segments) {
            let routeMethod = table[i].method
            if routeMethod == method { return .found(i, parameters(i, segments)) }
            if method == .HEAD, routeMethod == .GET { getFallback = i }
            if !allowed.contains(routeMethod) { allowed.append(routeMethod) }
        }
        if let getFallback { return .found(getFallback, parameters(getFallback, segments)) }
        if allowed.contains(.GET), !allowed.contains(.HEAD) { allowed.append(.HEAD) }
        return .wrongMethod(allowed: allowed, route: best)
    }

    /// The pattern of a route that redacts its path and whose segments begin `segments` (a trailing slash
    /// or extra segments after a token), followed by `/…`; nil when no such route exists.
    private func redactedPrefix(of segments: [String]) -> String? {
        for route in table where route.options.redactsPath && segments.count > route.pattern.segments.count {
            if route.pattern.matches(Array(segments.prefix(route.pattern.segments.count))) { return route.pattern.text + "/…" }
        }
        return nil
    }

    private func parameters(_ index: Int, _ segments: [String]) -> [String: String] {
        let pattern = table[index].pattern
        // No placeholder: skip building a dictionary.
        if !pattern.literalMask.contains(false) { return [:] }
        return pattern.match(segments) ?? [:]
    }

    public func bodyPolicy(for request: HTTPRequest) -> HTTPBodyPolicy {
        bodyPolicy(for: match(request.method, request.pathSegments))
    }

    func bodyPolicy(for match: Match) -> HTTPBodyPolicy {
        switch match {
        case .found(let index, _):
            let route = table[index]
            return HTTPBodyPolicy(
                limit: route.options.bodyLimit, streaming: route.options.streamingBody, routePattern: route.pattern.text,
                runsOffLoop: route.options.runsOffLoop, pathInLog: route.options.redactsPath ? route.pattern.text : nil,
                answersBodyFailure: route.options.streamingBody && route.options.answersBodyFailure)
        case .wrongMethod(_, let index):
            // No handler will read the body (the server answers from the head, see `responseBeforeBody`):
            // a server that asks anyway accepts none beyond a small allowance.
            let route = table[index]
            return HTTPBodyPolicy(limit: 64 * 1024, streaming: false, routePattern: nil, pathInLog: route.options.redactsPath ? route.pattern.text : nil)
        case .notFound(let redacted):
            return HTTPBodyPolicy(limit: 64 * 1024, streaming: false, routePattern: nil, pathInLog: redacted)
        }
    }

    public func responseBeforeBody(to request: HTTPRequest) -> HTTPResponse? {
        responseBeforeBody(to: request, match: match(request.method, request.pathSegments))
    }

    /// What is answered from the head alone: the refusal of the route's `RouteOptions.authorization`,
    /// and the 404 or 405 of a request no handler takes (its body is never read).
    func responseBeforeBody(to request: HTTPRequest, match: Match) -> HTTPResponse? {
        switch match {
        case .found(let index, let parameters):
            guard let authorization = table[index].options.authorization else { return nil }
            let pattern = table[index].pattern.text
            if Self.isPrepared(request, pattern, parameters) { return authorization.refusal(request) }
            return authorization.refusal(Self.prepared(request, pattern, parameters))
        case .wrongMethod, .notFound:
            return respondSynchronously(to: request, match: match)
        }
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        await respond(to: request, match: match(request.method, request.pathSegments))
    }

    /// Answers `request` for an already computed `match`.
    func respond(to request: HTTPRequest, match: Match) async -> HTTPResponse {
        if let response = respondSynchronously(to: request, match: match) { return response }
        guard let (handler, prepared) = asyncHandler(for: request, match: match) else {
            preconditionFailure("only async routes are left")
        }
        do {
            return try await handler(prepared)
        } catch {
            return Self.response(for: error)
        }
    }

    /// The async handler of a matched async route and the request to pass it; nil otherwise. The
    /// server calls the handler straight from its task: one async call level less per request.
    func asyncHandler(for request: HTTPRequest, match: Match) -> (Handler, HTTPRequest)? {
        guard case .found(let index, let parameters) = match, case .async(let handler) = table[index].handler else { return nil }
        let pattern = table[index].pattern.text
        if Self.isPrepared(request, pattern, parameters) { return (handler, request) }
        return (handler, Self.prepared(request, pattern, parameters))
    }

    /// What a handler's thrown error answers: its own response, else an opaque JSON 500.
    static func response(for error: any Error) -> HTTPResponse {
        if let error = error as? any HTTPResponseError { return error.response }
        return internalError
    }

    /// The response when it needs no suspension (a synchronous route, 404, 405); nil for an async route.
    func respondSynchronously(to request: HTTPRequest, match: Match) -> HTTPResponse? {
        switch match {
        case .found(let index, let parameters):
            guard case .sync(let handler) = table[index].handler else { return nil }
            do {
                let pattern = table[index].pattern.text
                if Self.isPrepared(request, pattern, parameters) { return try handler(request) }
                return try handler(Self.prepared(request, pattern, parameters))
            } catch {
                return Self.response(for: error)
            }
        case .wrongMethod(let allowed, _):
            var headers = HTTPHeaders()
            headers.add("Allow", allowed.map(\.rawValue).joined(separator: ", "))
            return .error(.methodNotAllowed, code: "method_not_allowed", message: "Method not allowed", headers: headers)
        case .notFound:
            return .error(.notFound, code: "not_found", message: "No route for this path")
        }
    }

    /// Whether `match` is answered without a task (see `respondSynchronously`).
    func isSynchronous(_ match: Match) -> Bool {
        guard case .found(let index, _) = match else { return true }
        if case .sync = table[index].handler { return true }
        return false
    }

    private static var internalError: HTTPResponse {
        .error(.internalServerError, code: "internal_error", message: "Internal server error")
    }

    /// Whether `request` already carries `pattern` and `parameters`: the server sets the pattern and
    /// most routes have no parameters, so the request is then passed on without a copy.
    private static func isPrepared(_ request: HTTPRequest, _ pattern: String, _ parameters: [String: String]) -> Bool {
        parameters.isEmpty && request.pathParameters.isEmpty && request.routePattern == pattern
    }

    private static func prepared(_ request: HTTPRequest, _ pattern: String, _ parameters: [String: String]) -> HTTPRequest {
        var request = request
        request.pathParameters = parameters
        request.routePattern = pattern
        return request
    }
}

/// An error that knows its HTTP response; handlers may throw it.
public protocol HTTPResponseError: Error {
    var response: HTTPResponse { get }
}
