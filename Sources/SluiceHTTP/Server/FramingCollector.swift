/// Collects the headers that decide message framing and connection reuse, rejecting any
/// ambiguity a proxy in front of us might read differently (request smuggling, RFC 9112 §6.3).
/// Works on the raw header bytes, so headers it does not care about cost one length check.
struct FramingCollector {
    private var contentLengths = 0
    private var contentLength: Int?
    private var transferEncodings = 0
    private var chunked = false
    /// A transfer coding other than chunked was applied (before the final chunked).
    private var unsupportedCoding = false
    private var hosts = 0
    private var connectionClose = false
    private var connectionKeepAlive = false
    /// The last `Expect` header: nil when absent, else whether it is exactly `100-continue`.
    private var expectContinue: Bool?
    private(set) var wantsRequestId = false

    struct Facts {
        var contentLength: Int?
        var chunked: Bool
        var keepAlive: Bool
        var expectContinue: Bool
    }

    /// Records one field (name and value already trimmed); returns an error as soon as the head can
    /// no longer be valid. Returns with `wantsRequestId` set when the value is a sane `X-Request-Id`.
    mutating func observe(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> HeadParseError? {
        wantsRequestId = false
        switch name.count {
        case 4 where ASCIICase.equal(name, lowercase: "host"):
            hosts += 1
            if hosts > 1 { return .bad("Duplicate Host header") }
        case 6 where ASCIICase.equal(name, lowercase: "expect"):
            expectContinue = ASCIICase.equal(value, lowercase: "100-continue")
        case 10 where ASCIICase.equal(name, lowercase: "connection"):
            for token in value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let t = UnsafeBufferPointer(rebasing: Self.trimmed(token))
                if ASCIICase.equal(t, lowercase: "close") { connectionClose = true }
                if ASCIICase.equal(t, lowercase: "keep-alive") { connectionKeepAlive = true }
            }
        case 12 where ASCIICase.equal(name, lowercase: "x-request-id"):
            wantsRequestId = HeaderSyntax.isSaneRequestId(value)
        case 14 where ASCIICase.equal(name, lowercase: "content-length"):
            contentLengths += 1
            if contentLengths > 1 { return .bad("Duplicate Content-Length header") }
            guard !value.isEmpty, value.count <= 15, value.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                return .bad("Invalid Content-Length header")
            }
            // At most 15 digits: no overflow.
            contentLength = value.reduce(0) { $0 * 10 + Int($1 - 48) }
        case 17 where ASCIICase.equal(name, lowercase: "transfer-encoding"):
            transferEncodings += 1
            if transferEncodings > 1 { return .bad("Duplicate Transfer-Encoding header") }
            return observeTransferCodings(value)
        default:
            break
        }
        return nil
    }

    /// RFC 9112 §6.3: chunked must be the final coding, or the body length is unknown (400). Codings
    /// before it are valid HTTP this server does not implement: 501 (§6.1), decided in `finish` so that
    /// framing conflicts still get their 400.
    private mutating func observeTransferCodings(_ value: UnsafeBufferPointer<UInt8>) -> HeadParseError? {
        chunked = true
        if ASCIICase.equal(value, lowercase: "chunked") { return nil }
        let codings = value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard let last = codings.last, ASCIICase.equal(UnsafeBufferPointer(rebasing: Self.trimmed(last)), lowercase: "chunked") else {
            return .bad("Transfer-Encoding does not end in chunked")
        }
        for element in codings.dropLast() {
            let coding = UnsafeBufferPointer(rebasing: Self.trimmed(element))
            // Empty elements and chunked applied twice (§7.1) are refused like any other ambiguity.
            guard !coding.isEmpty, coding.allSatisfy(HeaderSyntax.isTokenByte), !ASCIICase.equal(coding, lowercase: "chunked") else {
                return .bad("Malformed Transfer-Encoding")
            }
            unsupportedCoding = true
        }
        return nil
    }

    private static func trimmed(_ token: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
        var s = token
        while let f = s.first, f == 32 || f == 9 { s = s.dropFirst() }
        while let l = s.last, l == 32 || l == 9 { s = s.dropLast() }
        return s
    }

    func finish(version: HTTPVersion) -> Result<Facts, HeadParseError> {
        if transferEncodings > 0 && contentLengths > 0 { return .failure(.bad("Both Content-Length and Transfer-Encoding")) }
        if transferEncodings > 0 && version == .http1_0 { return .failure(.bad("Transfer-Encoding in an HTTP/1.0 request")) }
        if version == .http1_1 && hosts != 1 { return .failure(.bad("Missing Host header")) }
        if unsupportedCoding {
            return .failure(HeadParseError(status: .notImplemented, code: "unsupported_transfer_coding", message: "Unsupported transfer coding"))
        }
        var expects = false
        if let expectContinue, version == .http1_1 {
            guard expectContinue else {
                return .failure(HeadParseError(status: .expectationFailed, code: "expectation_failed", message: "Unsupported expectation"))
            }
            expects = true
        }
        let keepAlive = version == .http1_1 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        return .success(Facts(contentLength: contentLength, chunked: chunked, keepAlive: keepAlive, expectContinue: expects))
    }
}
