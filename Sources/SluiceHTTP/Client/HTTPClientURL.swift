/// The parts of an absolute http(s) URL the client needs; parsing is strict on purpose.
struct HTTPClientURL: Sendable, Equatable {
    enum Scheme: String, Sendable { case http, https }

    let scheme: Scheme
    /// Lower-cased host; IPv6 literals without brackets.
    let host: String
    let port: Int
    /// Origin-form request target: path plus optional query, always starting with "/".
    let target: String

    var isIPv6: Bool { host.contains(":") }

    /// `Host` header value: brackets for IPv6, port only when not the default.
    var hostHeader: String {
        let name = isIPv6 ? "[\(host)]" : host
        let defaultPort = scheme == .https ? 443 : 80
        return port == defaultPort ? name : "\(name):\(port)"
    }

    init(_ text: String) throws(HTTPClientError) {
        func invalid(_ why: String) -> HTTPClientError { HTTPClientError(.invalidURL, why) }
        let bytes = Array(text.utf8)
        guard bytes.count <= 8192 else { throw invalid("URL is too long") }
        // Raw spaces, controls and non-ASCII must already be percent-encoded.
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw invalid("URL contains characters that must be percent-encoded") }
        guard let separator = text.range(of: "://") else { throw invalid("URL is not absolute") }
        guard let scheme = Scheme(rawValue: text[..<separator.lowerBound].lowercased()) else {
            throw invalid("only http and https URLs are supported")
        }
        let rest = text[separator.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        // Credentials in URLs leak into logs and proxies; the client refuses them outright.
        guard !authority.contains("@") else { throw invalid("URLs with userinfo are not allowed") }

        var hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("unterminated IPv6 literal") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("junk after IPv6 literal") }
                portPart = after.dropFirst()
            }
            guard !hostPart.isEmpty, hostPart.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw invalid("bad IPv6 literal")
            }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            } else {
                hostPart = authority
            }
            guard !hostPart.isEmpty, hostPart.utf8.count <= 253,
                  hostPart.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }) else {
                throw invalid("bad host name")
            }
        }
        var port = scheme == .https ? 443 : 80
        if let portPart, !portPart.isEmpty {
            guard portPart.count <= 5, portPart.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(portPart), (1...65535).contains(value) else {
                throw invalid("bad port")
            }
            port = value
        }
        var target = rest[authorityEnd...]
        if let hash = target.firstIndex(of: "#") { target = target[..<hash] }  // fragments never go on the wire
        self.scheme = scheme
        self.host = hostPart.lowercased()
        self.port = port
        self.target = target.hasPrefix("/") ? String(target) : "/" + target
    }
}
