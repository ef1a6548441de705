/// The fields of one access-log line, as the server logs them (`logger.info("request", metadata:)`).
public struct AccessLogRecord: Sendable {
    /// Wall-clock time of the end of the request, in milliseconds since 1970: the line's own `time`.
    public var epochMilliseconds: Int64
    public var requestId: String
    public var method: String
    /// The path without the query (query values are never logged); the route pattern for a route whose
    /// path is a credential (`RouteOptions.redactsPath`).
    public var path: String
    /// The matched route pattern, or "-".
    public var route: String
    public var status: Int
    /// Response body bytes sent.
    public var bytes: Int
    /// From the end of the head to the end of the handler (for streams, the end of the stream).
    public var durationSeconds: Double
    /// The peer as `address:port`.
    public var remote: String

    public init(
        epochMilliseconds: Int64, requestId: String, method: String, path: String, route: String, status: Int,
        bytes: Int, durationSeconds: Double, remote: String
    ) {
        self.epochMilliseconds = epochMilliseconds
        self.requestId = requestId
        self.method = method
        self.path = path
        self.route = route
        self.status = status
        self.bytes = bytes
        self.durationSeconds = durationSeconds
        self.remote = remote
    }

    /// `duration_ms`: microseconds rounded, as milliseconds (`"0.123"`).
    public var durationMilliseconds: Double { (durationSeconds * 1e6).rounded() / 1e3 }

    /// The metadata of the equivalent `logger.info("request", metadata:)` call logged at `epochMilliseconds`
    /// (no `time` key: the line's own time is the end of the request).
    public var metadata: [String: String] {
        [
            "request.id": requestId,
            "method": method,
            "path": path,
            "route": route,
            "status": "\(status)",
            "bytes": "\(bytes)",
            "duration_ms": "\(durationMilliseconds)",
            "remote": remote,
        ]
    }
}
