import Glibc

/// Parses a request head (RFC 9112 §2-§6) from raw bytes, strictly: CRLF line endings only,
/// no obs-fold, token header names, one unambiguous message framing.
struct RequestHeadParser {
    var maxHeaderBytes: Int
    var maxHeaderCount: Int
    var maxURILength: Int
    /// Shared strings for frequent header names and values.
    var texts = HeaderTextTable.common

    enum Result {
        case incomplete
        /// A complete head that occupied `consumed` bytes (leading empty lines included).
        case head(RequestHead, consumed: Int)
        case failure(HeadParseError)
    }

    func parse(_ buffer: UnsafeRawBufferPointer) -> Result {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .incomplete }
        // RFC 9112 §2.2: ignore at least one empty line received before the request-line.
        let start = Self.leadingEmptyLineBytes(buffer)
        if start < buffer.count, buffer[start] == 10 { return .failure(.bad("Bare LF in request head")) }
        let available = buffer.count - start
        let searchLength = min(available, maxHeaderBytes)
        let headStart = base + start
        if let end = Self.find(headStart, searchLength, "\r\n\r\n") {
            let headLength = end + 4
            return parseHead(UnsafeRawBufferPointer(start: headStart, count: headLength), consumed: start + headLength)
        }
        // A head ended by bare LFs would never match CRLFCRLF; reject it now rather than time out.
        if Self.find(headStart, searchLength, "\n\n") != nil || Self.find(headStart, searchLength, "\n\r\n") != nil {
            return .failure(.bad("Bare LF in request head"))
        }
        if available >= maxHeaderBytes {
            if let lineEnd = memchr(headStart, 10, searchLength), headStart.distance(to: UnsafeRawPointer(lineEnd)) < maxURILength {
                return .failure(HeadParseError(status: .requestHeaderFieldsTooLarge, code: "headers_too_large", message: "Request header fields too large"))
            }
            return .failure(HeadParseError(status: .uriTooLong, code: "uri_too_long", message: "Request line too long"))
        }
        return .incomplete
    }

    /// The length of the CRLF pairs at the start of `buffer` (empty lines before a request line).
    static func leadingEmptyLineBytes(_ buffer: UnsafeRawBufferPointer) -> Int {
        var count = 0
        while count + 1 < buffer.count, buffer[count] == 13, buffer[count + 1] == 10 { count += 2 }
        return count
    }

    private static func find(_ base: UnsafeRawPointer, _ count: Int, _ needle: StaticString) -> Int? {
        guard let p = ServerSyscalls.memmem(base, count, needle.utf8Start, needle.utf8CodeUnitCount) else { return nil }
        return base.distance(to: UnsafeRawPointer(p))
    }

    private func parseHead(_ head: UnsafeRawBufferPointer, consumed: Int) -> Result {
        let bytes = head.bindMemory(to: UInt8.self)
        var lineStart = 0
        var lineIndex = 0
        var parsedRequestLine: (HTTPMethod, String, HTTPVersion)?
        var headers = HTTPHeaders()
        headers.reserveCapacity(8)
        var framing = FramingCollector()
        var requestId: String?
        while lineStart < bytes.count {
            guard let lf = Self.indexOfLF(bytes, from: lineStart) else { return .failure(.bad("Malformed request head")) }
            guard lf > lineStart, bytes[lf - 1] == 13 else { return .failure(.bad("Bare LF in request head")) }
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<(lf - 1)])
            lineStart = lf + 1
            if line.isEmpty { break }
            if memchr(line.baseAddress!, 13, line.count) != nil { return .failure(.bad("Bare CR in request head")) }
            if lineIndex == 0 {
                switch parseRequestLine(line) {
                case .success(let parsed): parsedRequestLine = parsed
                case .failure(let error): return .failure(error)
                }
            } else {
                if headers.entries.count >= maxHeaderCount {
                    return .failure(HeadParseError(status: .requestHeaderFieldsTooLarge, code: "headers_too_large", message: "Too many header fields"))
                }
                switch Self.parseField(line) {
                case .success(let (name, value)):
                    if let error = framing.observe(name: name, value: value) { return .failure(error) }
                    let text = texts.string(value)
                    if framing.wantsRequestId { requestId = text }
                    headers.add(texts.string(name), text)
                case .failure(let error): return .failure(error)
                }
            }
            lineIndex += 1
        }
        guard let (method, target, version) = parsedRequestLine else { return .failure(.bad("Missing request line")) }
        switch framing.finish(version: version) {
        case .failure(let error): return .failure(error)
        case .success(let facts):
            let head = RequestHead(
                method: method, target: target, version: version, headers: headers,
                contentLength: facts.contentLength, chunked: facts.chunked, keepAlive: facts.keepAlive,
                expectContinue: facts.expectContinue, requestId: requestId
            )
            return .head(head, consumed: consumed)
        }
    }

    private static func indexOfLF(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let p = memchr(bytes.baseAddress! + from, 10, bytes.count - from) else { return nil }
        return UnsafeRawPointer(bytes.baseAddress!).distance(to: UnsafeRawPointer(p))
    }

    private func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) -> Swift.Result<(HTTPMethod, String, HTTPVersion), HeadParseError> {
        guard let sp1 = line.firstIndex(of: 32) else { return .failure(.bad("Malformed request line")) }
        let rest = line[(sp1 + 1)...]
        guard let sp2 = rest.firstIndex(of: 32) else { return .failure(.bad("Malformed request line")) }
        let methodBytes = line[..<sp1]
        let targetBytes = line[(sp1 + 1)..<sp2]
        let versionBytes = line[(sp2 + 1)...]
        guard !methodBytes.isEmpty, methodBytes.count <= 32, methodBytes.allSatisfy(HeaderSyntax.isTokenByte) else {
            return .failure(.bad("Malformed request method"))
        }
        guard !targetBytes.isEmpty, targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(.bad("Malformed request target"))
        }
        if targetBytes.count > maxURILength {
            return .failure(HeadParseError(status: .uriTooLong, code: "uri_too_long", message: "Request target too long"))
        }
        guard let parsedVersion = Self.parseVersion(versionBytes) else { return .failure(.bad("Malformed HTTP version")) }
        guard parsedVersion.major == 1 else {
            return .failure(HeadParseError(status: .httpVersionNotSupported, code: "http_version_not_supported", message: "HTTP version not supported"))
        }
        // RFC 9110 §2.5: a higher minor version of a major version we implement is processed as the
        // highest minor version we do (HTTP/1.2 as HTTP/1.1).
        let version = parsedVersion.minor > 1 ? HTTPVersion.http1_1 : parsedVersion
        let method = HTTPMethod(String(decoding: methodBytes, as: UTF8.self))
        var target = String(decoding: targetBytes, as: UTF8.self)
        let first = targetBytes[targetBytes.startIndex]
        if first == UInt8(ascii: "/") {
            // origin-form
        } else if targetBytes.count == 1, first == UInt8(ascii: "*"), method == .OPTIONS {
            // asterisk-form
        } else if let path = Self.absoluteFormPath(target) {
            target = path
        } else {
            return .failure(.bad("Unsupported request target form"))
        }
        return .success((method, target, version))
    }

    /// The path-and-query of an absolute-form target (RFC 9112 §3.2.2), nil if it is not one.
    private static func absoluteFormPath(_ target: String) -> String? {
        let lower = target.lowercased()
        let schemeLength: Int
        if lower.hasPrefix("http://") { schemeLength = 7 } else if lower.hasPrefix("https://") { schemeLength = 8 } else { return nil }
        let afterScheme = target.utf8.dropFirst(schemeLength)
        guard let slash = afterScheme.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) else { return "/" }
        let rest = String(Substring(target.utf8[slash...]))
        return rest.hasPrefix("?") ? "/" + rest : rest
    }

    private static func parseVersion(_ b: Slice<UnsafeBufferPointer<UInt8>>) -> HTTPVersion? {
        guard b.count == 8 else { return nil }
        let i = b.startIndex
        guard b[i] == 72, b[i + 1] == 84, b[i + 2] == 84, b[i + 3] == 80, b[i + 4] == 47, b[i + 6] == 46,
              (48...57).contains(b[i + 5]), (48...57).contains(b[i + 7]) else { return nil }
        return HTTPVersion(major: Int(b[i + 5] - 48), minor: Int(b[i + 7] - 48))
    }

    /// Splits a field line into its name and its value without surrounding whitespace, both checked.
    private static func parseField(_ line: UnsafeBufferPointer<UInt8>) -> Swift.Result<(UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>), HeadParseError> {
        if line[0] == 32 || line[0] == 9 { return .failure(.bad("Obsolete line folding is not accepted")) }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return .failure(.bad("Malformed header field")) }
        let name = UnsafeBufferPointer(rebasing: line[..<colon])
        guard name.allSatisfy(HeaderSyntax.isTokenByte) else { return .failure(.bad("Invalid header field name")) }
        var valueStart = colon + 1
        var valueEnd = line.count
        while valueStart < valueEnd, line[valueStart] == 32 || line[valueStart] == 9 { valueStart += 1 }
        while valueEnd > valueStart, line[valueEnd - 1] == 32 || line[valueEnd - 1] == 9 { valueEnd -= 1 }
        let value = UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd])
        guard value.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 9 }) else {
            return .failure(.bad("Invalid character in header field value"))
        }
        return .success((name, value))
    }
}
