/// A parsed HTTP request as handed to a responder.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request-target exactly as received (path and query, still percent-encoded).
    public var target: String
    /// The path part of the target, still percent-encoded.
    public var path: String
    /// The path split on "/" with each segment percent-decoded; "/a%2Fb/c" is ["a/b", "c"].
    public var pathSegments: [String]
    /// Query items in order, percent-decoded with "+" read as a space.
    public var queryItems: [(name: String, value: String)]
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// The buffered body; empty when the route streams its body (see `bodyStream`).
    public var body: [UInt8]
    /// The body as chunks, for routes registered with `streamingBody: true`; nil otherwise.
    public var bodyStream: HTTPRequestBodyStream?
    /// A sane client `X-Request-Id`, or a generated 16-hex-digit id.
    public var requestId: String
    /// The client: the peer as "address:port", or, when the peer is a trusted proxy
    /// (`HTTPServerConfiguration.trustedProxies`), the address it forwarded for ("203.0.113.7", "[2001:db8::1]").
    public var remoteAddress: String
    /// Values of `{name}` placeholders of the matched route, percent-decoded.
    public var pathParameters: [String: String]
    /// The pattern of the matched route, such as "/sns/{name}", when a router matched one.
    public var routePattern: String?

    public init(
        method: HTTPMethod,
        target: String,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        bodyStream: HTTPRequestBodyStream? = nil,
        requestId: String = "-",
        remoteAddress: String = "127.0.0.1:0",
        pathParameters: [String: String] = [:]
    ) {
        self.method = method
        self.target = target
        let split = RequestTarget.split(target)
        self.path = split.path
        self.pathSegments = split.segments ?? []
        self.queryItems = split.query
        self.version = version
        self.headers = headers
        self.body = body
        self.bodyStream = bodyStream
        self.requestId = requestId
        self.remoteAddress = remoteAddress
        self.pathParameters = pathParameters
        self.routePattern = nil
    }

    /// The server's initializer: the target was already split and validated.
    init(method: HTTPMethod, target: String, split: (path: String, segments: [String], query: [(name: String, value: String)]), version: HTTPVersion, headers: HTTPHeaders) {
        self.method = method
        self.target = target
        self.path = split.path
        self.pathSegments = split.segments
        self.queryItems = split.query
        self.version = version
        self.headers = headers
        self.body = []
        self.bodyStream = nil
        self.requestId = "-"
        self.remoteAddress = ""
        self.pathParameters = [:]
        self.routePattern = nil
    }

    /// The first query value named `name`.
    public func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// The buffered body, or the streamed one collected up to `limit` bytes.
    public func collectBody(upTo limit: Int) async throws -> [UInt8] {
        guard let bodyStream else { return body }
        return try await bodyStream.collect(upTo: limit)
    }
}
