/// Maps method + path pattern to handlers. Unknown paths get a JSON 404, known paths with another
/// method a JSON 405 with `Allow`; HEAD is served by the GET route (the server drops the body).
public struct Router: HTTPResponder {
    /// A route handler; a thrown error becomes a JSON 500 unless it is an `HTTPResponseError`.
    public typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse

    private struct Route: Sendable {
        var method: HTTPMethod
        var pattern: RoutePattern
        var options: RouteOptions
        var handler: Handler
    }

    private var table: [Route] = []

    public init() {}

    /// Registers `handler` for `method` and `pattern` ("/a/{id}/b"); a later duplicate replaces it.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, options: RouteOptions = RouteOptions(), _ handler: @escaping Handler) {
        let parsed = RoutePattern(pattern)
        table.removeAll { $0.method == method && $0.pattern.segments == parsed.segments }
        table.append(Route(method: method, pattern: parsed, options: options, handler: handler))
    }

    /// Every registered route in registration order.
    public var routes: [RouteDescription] {
        table.map { RouteDescription(method: $0.method, pattern: $0.pattern.text, options: $0.options) }
    }

    private enum Lookup {
        case found(Route, [String: String])
        case wrongMethod(allowed: [HTTPMethod])
        case notFound
    }

    private func lookup(_ method: HTTPMethod, _ segments: [String]) -> Lookup {
        var allowed: [HTTPMethod] = []
        var getFallback: (Route, [String: String])?
        // Literal segments win over parameters ("/v1/suppressions/export" is not an {address}), so
        // only the most specific patterns matching the path take part, and `Allow` lists their methods.
        var best: [Bool]?
        for route in table where route.pattern.match(segments) != nil {
            let mask = route.pattern.literalMask
            if best.map({ RoutePattern.isMoreSpecific(mask, than: $0) }) ?? true { best = mask }
        }
        for route in table where route.pattern.literalMask == best {
            guard let parameters = route.pattern.match(segments) else { continue }
            if route.method == method { return .found(route, parameters) }
            if method == .HEAD, route.method == .GET { getFallback = (route, parameters) }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        if let getFallback { return .found(getFallback.0, getFallback.1) }
        if allowed.isEmpty { return .notFound }
        if allowed.contains(.GET), !allowed.contains(.HEAD) { allowed.append(.HEAD) }
        return .wrongMethod(allowed: allowed)
    }

    public func bodyPolicy(for request: HTTPRequest) -> HTTPBodyPolicy {
        switch lookup(request.method, request.pathSegments) {
        case .found(let route, _):
            HTTPBodyPolicy(
                limit: route.options.bodyLimit, streaming: route.options.streamingBody, routePattern: route.pattern.text,
                runsOffLoop: route.options.runsOffLoop)
        case .wrongMethod, .notFound:
            // No handler will read the body: accept none beyond a small allowance.
            HTTPBodyPolicy(limit: 64 * 1024, streaming: false, routePattern: nil)
        }
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        switch lookup(request.method, request.pathSegments) {
        case .found(let route, let parameters):
            var request = request
            request.pathParameters = parameters
            request.routePattern = route.pattern.text
            do {
                return try await route.handler(request)
            } catch let error as any HTTPResponseError {
                return error.response
            } catch {
                return .error(.internalServerError, code: "internal_error", message: "Internal server error")
            }
        case .wrongMethod(let allowed):
            var headers = HTTPHeaders()
            headers.add("Allow", allowed.map(\.rawValue).joined(separator: ", "))
            return .error(.methodNotAllowed, code: "method_not_allowed", message: "Method not allowed", headers: headers)
        case .notFound:
            return .error(.notFound, code: "not_found", message: "No route for this path")
        }
    }
}

/// An error that knows its HTTP response; handlers may throw it.
public protocol HTTPResponseError: Error {
    var response: HTTPResponse { get }
}
