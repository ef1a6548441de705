/// A credential check the server runs on a route's request head, before `100 Continue` and before
/// reading any body byte: an unauthenticated client then cannot make it buffer a body up to the
/// route's limit. A refusal is sent at once and, when a body was announced, the connection closed.
public struct RouteAuthorization: Sendable, Equatable {
    /// Names the check (such as "bearer") in route listings. Two checks compare equal when their names
    /// do: closures cannot be compared, and a listing only needs to say which check guards a route.
    public var name: String
    /// The answer refusing `request` (head only, body empty), such as a 401 with its challenge; nil
    /// lets the server read the body and run the handler.
    public var refusal: @Sendable (HTTPRequest) -> HTTPResponse?

    public init(name: String, refusal: @escaping @Sendable (HTTPRequest) -> HTTPResponse?) {
        self.name = name
        self.refusal = refusal
    }

    public static func == (lhs: RouteAuthorization, rhs: RouteAuthorization) -> Bool {
        lhs.name == rhs.name
    }
}
