/// Serialises a request head and body for the wire (RFC 9112 §3), rejecting header injection.
enum HTTPClientRequestEncoder {
    static func encode(
        _ request: HTTPClientRequest, url: HTTPClientURL, userAgent: String, closeConnection: Bool
    ) throws(HTTPClientError) -> [UInt8] {
        guard isToken(request.method) else { throw HTTPClientError(.invalidRequest, "method is not an HTTP token") }
        var headers = request.headers
        for (name, value) in headers {
            guard isToken(name) else { throw HTTPClientError(.invalidRequest, "header name is not an HTTP token") }
            guard isFieldValue(value) else { throw HTTPClientError(.invalidRequest, "header \(name) contains CR, LF or NUL") }
        }
        guard !headers.contains("Transfer-Encoding") else {
            throw HTTPClientError(.invalidRequest, "request bodies are sent with Content-Length only")
        }
        // The client owns framing and routing headers; callers' copies could contradict the wire.
        headers.remove("Host")
        headers.remove("Content-Length")
        if !headers.contains("User-Agent") && !userAgent.isEmpty && isFieldValue(userAgent) { headers.add("User-Agent", userAgent) }
        if closeConnection { headers.set("Connection", "close") }
        let sendsLength = !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method)

        var head = "\(request.method) \(url.target) HTTP/1.1\r\nHost: \(url.hostHeader)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if sendsLength { head += "Content-Length: \(request.body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + request.body
    }

    /// RFC 9110 §5.6.2 token.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { c in
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            default: "!#$%&'*+-.^_`|~".utf8.contains(c)
            }
        }
    }

    /// A field value without CR, LF, NUL or other controls except HTAB.
    static func isFieldValue(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }
}
