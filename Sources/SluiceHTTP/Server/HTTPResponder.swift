/// Anything that answers requests; the server calls it once per request, in a task. (A `Router`'s
/// synchronous routes, `Router.addSync`, run inline on the event loop instead.)
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest) async -> HTTPResponse

    /// How to read the body of `request` (head only, body empty); asked before any body byte is
    /// read, so an oversized body gets 413 without being buffered.
    func bodyPolicy(for request: HTTPRequest) -> HTTPBodyPolicy

    /// An answer decided from the head alone (`request` has an empty body), such as a refused
    /// credential: sent before `100 Continue` and before any body byte is read, after which a
    /// connection with a body pending is closed. Nil reads the body and calls `respond(to:)`.
    func responseBeforeBody(to request: HTTPRequest) -> HTTPResponse?
}

extension HTTPResponder {
    public func bodyPolicy(for request: HTTPRequest) -> HTTPBodyPolicy { HTTPBodyPolicy() }

    public func responseBeforeBody(to request: HTTPRequest) -> HTTPResponse? { nil }
}

/// Body handling for one request, decided from its head.
public struct HTTPBodyPolicy: Sendable, Equatable {
    /// Maximum body bytes; nil means the server's `defaultBodyLimit`.
    public var limit: Int?
    /// Deliver the body as `HTTPRequest.bodyStream` instead of buffering it.
    public var streaming: Bool
    /// The matched route pattern, reported in access logs and observations.
    public var routePattern: String?
    /// Run the handler on the shared task pool, not on the connection's event loop.
    public var runsOffLoop: Bool
    /// What access logs show in place of the path, which is a credential (`RouteOptions.redactsPath`);
    /// nil logs the path.
    public var pathInLog: String?
    /// A streamed body's failure is answered by the handler (`RouteOptions.answersBodyFailure`).
    public var answersBodyFailure: Bool

    public init(
        limit: Int? = nil, streaming: Bool = false, routePattern: String? = nil, runsOffLoop: Bool = false, pathInLog: String? = nil,
        answersBodyFailure: Bool = false
    ) {
        self.limit = limit
        self.streaming = streaming
        self.routePattern = routePattern
        self.runsOffLoop = runsOffLoop
        self.pathInLog = pathInLog
        self.answersBodyFailure = answersBodyFailure
    }

    /// The path as access logs show it.
    func loggedPath(_ path: String) -> String { pathInLog ?? path }
}
