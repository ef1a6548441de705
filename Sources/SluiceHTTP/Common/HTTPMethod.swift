/// An HTTP request method; any RFC 9110 token is allowed, the common ones are constants.
public struct HTTPMethod: Sendable, Hashable, CustomStringConvertible {
    /// The method token exactly as sent (methods are case-sensitive).
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let GET = HTTPMethod("GET")
    public static let HEAD = HTTPMethod("HEAD")
    public static let POST = HTTPMethod("POST")
    public static let PUT = HTTPMethod("PUT")
    public static let DELETE = HTTPMethod("DELETE")
    public static let PATCH = HTTPMethod("PATCH")
    public static let OPTIONS = HTTPMethod("OPTIONS")

    public var description: String { rawValue }

    /// The method as a metrics label: RFC 9110's methods (and PATCH) by name, `-` where no request head
    /// was parsed, every other token as `other`. Methods are client input; a label per token would let
    /// any client grow the series without bound.
    public var metricsLabel: String {
        switch rawValue {
        case "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "-": rawValue
        default: "other"
        }
    }
}
