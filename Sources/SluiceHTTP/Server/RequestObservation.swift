/// What the server reports about each finished request, for metrics.
public struct RequestObservation: Sendable {
    public var method: HTTPMethod
    /// The matched route pattern, or nil when no route matched (keeps metric cardinality low).
    public var routePattern: String?
    public var status: Int
    /// From the end of the head to the end of the handler (for streams, the end of the stream).
    public var durationSeconds: Double
    public var requestBodyBytes: Int
    public var responseBodyBytes: Int

    public init(method: HTTPMethod, routePattern: String?, status: Int, durationSeconds: Double, requestBodyBytes: Int, responseBodyBytes: Int) {
        self.method = method
        self.routePattern = routePattern
        self.status = status
        self.durationSeconds = durationSeconds
        self.requestBodyBytes = requestBodyBytes
        self.responseBodyBytes = responseBodyBytes
    }
}
