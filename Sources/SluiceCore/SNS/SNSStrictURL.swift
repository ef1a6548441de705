/// A deliberately narrow `https` URL parser for SNS-supplied URLs: anything unusual is refused
/// rather than interpreted, so the host we check is the host a client would connect to.
struct SNSStrictURL: Equatable {
    var host: String
    var port: Int?
    var path: String
    /// Raw query (after `?`), nil when absent.
    var query: String?

    /// `host` or `host:port` as written.
    var authority: String { port.map { "\(host):\($0)" } ?? host }

    /// Parses or returns the reason for refusal (safe to show: it never includes the input).
    static func parse(_ text: String) -> Result<SNSStrictURL, Refusal> {
        let bytes = Array(text.utf8)
        guard bytes.count <= 2048 else { return .failure(.init("URL longer than 2048 bytes")) }
        // Printable ASCII only: no spaces, control characters, or non-ASCII lookalikes.
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(.init("URL contains whitespace, control or non-ASCII characters"))
        }
        guard !bytes.contains(UInt8(ascii: "\\")) else { return .failure(.init("URL contains a backslash")) }
        guard !bytes.contains(UInt8(ascii: "#")) else { return .failure(.init("URL has a fragment")) }
        let prefix = Array("https://".utf8)
        guard bytes.starts(with: prefix) else { return .failure(.init("URL scheme is not lowercase https")) }
        let rest = bytes[prefix.count...]
        let authorityEnd = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
        let authority = rest[rest.startIndex..<authorityEnd]
        guard !authority.contains(UInt8(ascii: "@")) else { return .failure(.init("URL has user info")) }
        guard !authority.contains(UInt8(ascii: "%")) else { return .failure(.init("URL host is percent-encoded")) }

        var hostBytes = authority[...]
        var port: Int?
        if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
            hostBytes = authority[authority.startIndex..<colon]
            let digits = authority[(colon + 1)...]
            guard (1...5).contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let value = Int(String(decoding: digits, as: UTF8.self)), (1...65535).contains(value)
            else { return .failure(.init("URL port is invalid")) }
            port = value
        }
        let host = String(decoding: hostBytes, as: UTF8.self)
        guard isLowercaseHostname(host) else { return .failure(.init("URL host is not a lowercase DNS name")) }

        let afterAuthority = rest[authorityEnd...]
        let queryStart = afterAuthority.firstIndex(of: UInt8(ascii: "?"))
        let pathBytes = afterAuthority[afterAuthority.startIndex..<(queryStart ?? afterAuthority.endIndex)]
        let path = String(decoding: pathBytes, as: UTF8.self)
        guard pathBytes.allSatisfy({ SigV4Encoding.isUnreserved($0) || $0 == UInt8(ascii: "/") }) else {
            return .failure(.init("URL path has characters outside A-Za-z0-9-._~/"))
        }
        guard !path.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) else {
            return .failure(.init("URL path has dot segments"))
        }
        let query = queryStart.map { String(decoding: afterAuthority[($0 + 1)...], as: UTF8.self) }
        return .success(SNSStrictURL(host: host, port: port, path: path, query: query))
    }

    /// Labels of `[a-z0-9-]`, 1-63 long, not starting or ending with `-`; no trailing dot.
    static func isLowercaseHostname(_ host: String) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let u = label.utf8
            guard (1...63).contains(u.count), u.first != UInt8(ascii: "-"), u.last != UInt8(ascii: "-") else {
                return false
            }
            return u.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        }
    }

    struct Refusal: Error, Equatable {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
