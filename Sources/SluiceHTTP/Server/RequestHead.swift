/// The parsed head of a request plus the framing facts the connection needs.
struct RequestHead {
    var method: HTTPMethod
    var target: String
    var version: HTTPVersion
    var headers: HTTPHeaders
    /// Declared Content-Length, nil when absent.
    var contentLength: Int?
    var chunked: Bool
    /// Whether the connection may stay open after this exchange (version + Connection header).
    var keepAlive: Bool
    var expectContinue: Bool
    /// A sane `X-Request-Id` from the client, if any.
    var requestId: String?
}
