import Foundation

/// An outbound HTTP/1.1 request.
public struct HTTPClientRequest: Sendable {
    /// Upper-case method token, e.g. "GET", "POST".
    public var method: String
    /// Absolute `http` or `https` URL without userinfo.
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Overrides `HTTPClientConfiguration.maxResponseBytes` for this request.
    public var maxResponseBytes: Int?

    public init(method: String = "GET", url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], maxResponseBytes: Int? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.maxResponseBytes = maxResponseBytes
    }

    public init(method: String = "GET", url: URL, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], maxResponseBytes: Int? = nil) {
        self.init(method: method, url: url.absoluteString, headers: headers, body: body, maxResponseBytes: maxResponseBytes)
    }

    /// RFC 9110 §9.2.2: safe to resend if the first attempt may have been lost.
    var isIdempotent: Bool { ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"].contains(method) }
}
