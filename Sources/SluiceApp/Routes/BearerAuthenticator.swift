import SluiceCrypto
import SluiceHTTP

/// Checks `Authorization: Bearer <token>` against the configured tokens in constant time.
public struct BearerAuthenticator: Sendable {
    private let tokens: [[UInt8]]

    public init(tokens: [String]) {
        self.tokens = tokens.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// Whether the request carries one of the tokens. Every token is compared, so timing does not
    /// reveal which one (or how much of one) matched.
    public func isAuthorized(_ request: HTTPRequest) -> Bool {
        guard let header = request.headers["authorization"] else { return false }
        let prefix = "bearer "
        guard header.utf8.count > prefix.utf8.count, header.lowercased().hasPrefix(prefix) else { return false }
        let presented = Array(header.utf8.dropFirst(prefix.utf8.count))
        var matched = false
        for token in tokens where ConstantTime.equals(token, presented) {
            matched = true
        }
        return matched
    }

    /// This check as a route option: the server then refuses on the head, before reading a body.
    public var routeAuthorization: RouteAuthorization {
        RouteAuthorization(name: "bearer") { request in isAuthorized(request) ? nil : Self.unauthorized() }
    }

    /// The 401 answer, with the challenge RFC 6750 asks for.
    public static func unauthorized() -> HTTPResponse {
        var response = HTTPResponse.error(.unauthorized, code: "unauthorized", message: "missing or invalid bearer token")
        response.headers.set("WWW-Authenticate", "Bearer realm=\"sluice\"")
        return response
    }
}
