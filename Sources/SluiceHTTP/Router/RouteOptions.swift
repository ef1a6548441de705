/// Per-route settings the server needs before reading a body.
public struct RouteOptions: Sendable, Equatable {
    /// Maximum body bytes; nil means the server's `defaultBodyLimit`.
    public var bodyLimit: Int?
    /// Hand the body to the handler as `HTTPRequest.bodyStream` instead of buffering it.
    public var streamingBody: Bool

    public init(bodyLimit: Int? = nil, streamingBody: Bool = false) {
        self.bodyLimit = bodyLimit
        self.streamingBody = streamingBody
    }
}
