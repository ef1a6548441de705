/// Per-route settings the server needs before reading a body.
public struct RouteOptions: Sendable, Equatable {
    /// Maximum body bytes; nil means the server's `defaultBodyLimit`.
    public var bodyLimit: Int?
    /// Hand the body to the handler as `HTTPRequest.bodyStream` instead of buffering it.
    public var streamingBody: Bool
    /// Run the handler on the shared task pool instead of the connection's event loop: for handlers
    /// that do long CPU work (bulk import, export), which would stall the loop's other connections.
    public var runsOffLoop: Bool
    /// The path itself is a credential (an unsubscribe token): access logs show the route pattern instead,
    /// so log readers cannot replay it.
    public var redactsPath: Bool
    /// Checked on the request head before any body byte is read; see `RouteAuthorization`.
    public var authorization: RouteAuthorization?
    /// With `streamingBody`: when the body breaks off (bad chunking, over `bodyLimit`, too slow), the handler
    /// answers, with what it did before the failure, instead of the server's own error. The server waits for
    /// that answer as long as the body timeout, then sends its own; the connection closes after either.
    public var answersBodyFailure: Bool

    public init(
        bodyLimit: Int? = nil, streamingBody: Bool = false, runsOffLoop: Bool = false, redactsPath: Bool = false,
        authorization: RouteAuthorization? = nil, answersBodyFailure: Bool = false
    ) {
        self.bodyLimit = bodyLimit
        self.streamingBody = streamingBody
        self.runsOffLoop = runsOffLoop
        self.redactsPath = redactsPath
        self.authorization = authorization
        self.answersBodyFailure = answersBodyFailure
    }
}
