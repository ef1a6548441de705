/// A response: status, headers and a buffered or streamed body.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: Body

    /// A response body: bytes sent with Content-Length, or a stream sent with chunked encoding.
    public enum Body: Sendable {
        case bytes([UInt8])
        case stream(HTTPResponseStream)
    }

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body bytes; a stream is run to completion into memory (for tests and small bodies).
    public func collectBody() async throws -> [UInt8] {
        switch body {
        case .bytes(let bytes): bytes
        case .stream(let stream): try await stream.collect()
        }
    }
}
