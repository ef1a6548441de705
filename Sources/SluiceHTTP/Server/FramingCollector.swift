/// Collects the headers that decide message framing and connection reuse, rejecting any
/// ambiguity a proxy in front of us might read differently (request smuggling, RFC 9112 §6.3).
struct FramingCollector {
    private var contentLengths = 0
    private var contentLength: Int?
    private var transferEncodings = 0
    private var chunked = false
    private var hosts = 0
    private var connectionClose = false
    private var connectionKeepAlive = false
    private var expect: String?
    private var requestId: String?

    struct Facts {
        var contentLength: Int?
        var chunked: Bool
        var keepAlive: Bool
        var expectContinue: Bool
        var requestId: String?
    }

    /// Records one field; returns an error as soon as the head can no longer be valid.
    mutating func observe(name: String, value: String) -> HeadParseError? {
        switch name.utf8.count {
        case 4 where name.caseInsensitiveEquals("host"):
            hosts += 1
            if hosts > 1 { return .bad("Duplicate Host header") }
        case 6 where name.caseInsensitiveEquals("expect"):
            expect = value
        case 10 where name.caseInsensitiveEquals("connection"):
            for token in value.split(separator: ",") {
                let t = token.trimmingSpaces()
                if t.caseInsensitiveEquals("close") { connectionClose = true }
                if t.caseInsensitiveEquals("keep-alive") { connectionKeepAlive = true }
            }
        case 12 where name.caseInsensitiveEquals("x-request-id"):
            if HeaderSyntax.isSaneRequestId(value) { requestId = value }
        case 14 where name.caseInsensitiveEquals("content-length"):
            contentLengths += 1
            if contentLengths > 1 { return .bad("Duplicate Content-Length header") }
            let u = value.utf8
            guard !u.isEmpty, u.count <= 15, u.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(value) else {
                return .bad("Invalid Content-Length header")
            }
            contentLength = n
        case 17 where name.caseInsensitiveEquals("transfer-encoding"):
            transferEncodings += 1
            if transferEncodings > 1 { return .bad("Duplicate Transfer-Encoding header") }
            guard value.caseInsensitiveEquals("chunked") else { return .bad("Unsupported Transfer-Encoding") }
            chunked = true
        default:
            break
        }
        return nil
    }

    func finish(version: HTTPVersion) -> Result<Facts, HeadParseError> {
        if transferEncodings > 0 && contentLengths > 0 { return .failure(.bad("Both Content-Length and Transfer-Encoding")) }
        if transferEncodings > 0 && version == .http1_0 { return .failure(.bad("Transfer-Encoding in an HTTP/1.0 request")) }
        if version == .http1_1 && hosts != 1 { return .failure(.bad("Missing Host header")) }
        var expectContinue = false
        if let expect, version == .http1_1 {
            guard expect.caseInsensitiveEquals("100-continue") else {
                return .failure(HeadParseError(status: .expectationFailed, code: "expectation_failed", message: "Unsupported expectation"))
            }
            expectContinue = true
        }
        let keepAlive = version == .http1_1 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        return .success(Facts(
            contentLength: contentLength, chunked: chunked, keepAlive: keepAlive,
            expectContinue: expectContinue, requestId: requestId
        ))
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
