/// Splits an absolute http(s) URL the way `HTTPClient` puts it on the wire (Host header, raw path, raw query).
struct AWSURLParts: Sendable, Equatable {
    /// `host[:port]`, lower-cased, port only when not the scheme default (as `HTTPClient` writes it).
    var hostHeader: String
    /// The path exactly as sent (already percent-encoded); `/` when empty.
    var path: String
    /// The raw query string without `?` (still percent-encoded).
    var query: String

    init(_ url: String) throws(AWSRequestSignerError) {
        guard let separator = url.range(of: "://") else { throw AWSRequestSignerError("URL is not absolute") }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw AWSRequestSignerError("URL is not http(s)") }
        let rest = url[separator.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd].lowercased()
        guard !authority.isEmpty, !authority.contains("@") else { throw AWSRequestSignerError("URL has no usable host") }
        var host = authority
        let defaultPort = scheme == "https" ? "443" : "80"
        // Strip the port only after an IPv6 literal's closing bracket.
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            let port = authority[authority.index(after: colon)...]
            if port == defaultPort { host = String(authority[..<colon]) }
        }
        var target = rest[authorityEnd...]
        if let hash = target.firstIndex(of: "#") { target = target[..<hash] }
        if let question = target.firstIndex(of: "?") {
            path = String(target[..<question])
            query = String(target[target.index(after: question)...])
        } else {
            path = String(target)
            query = ""
        }
        if path.isEmpty { path = "/" }
        hostHeader = host
    }
}
