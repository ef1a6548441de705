/// Builds response heads; drops handler headers that would break framing or inject lines.
enum ResponseSerializer {
    enum Framing {
        case length(Int)
        case chunked
        /// HTTP/1.0 stream: no length, the connection close ends the body.
        case untilClose
        /// 1xx, 204 and 304 carry no body and no length.
        case noBody
    }

    static func head(
        status: HTTPStatus, headers: HTTPHeaders, framing: Framing, close: Bool, keepAliveHeader: Bool,
        requestId: String, serverName: String?, date: [UInt8] = []
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(192 + headers.entries.count * 48)
        append("HTTP/1.1 ", to: &out)
        appendDecimal(status.code, to: &out)
        out.append(32)
        appendSafe(status.reasonPhrase, to: &out)
        append("\r\n", to: &out)
        var sawRequestId = false
        for (name, value) in headers.entries {
            switch name.utf8.count {
            case 0: continue
            case 10 where name.caseInsensitiveEquals("connection"): continue
            case 14 where name.caseInsensitiveEquals("content-length"): continue
            case 17 where name.caseInsensitiveEquals("transfer-encoding"): continue
            case 12 where name.caseInsensitiveEquals("x-request-id"): sawRequestId = true
            default: break
            }
            var name = name
            let valid = name.withUTF8 { bytes in
                guard bytes.allSatisfy(HeaderSyntax.isTokenByte) else { return false }
                out.append(contentsOf: bytes)
                return true
            }
            guard valid else { continue }
            append(": ", to: &out)
            appendSafe(value, to: &out)
            append("\r\n", to: &out)
        }
        switch framing {
        case .length(let n):
            append("Content-Length: ", to: &out)
            appendDecimal(n, to: &out)
            append("\r\n", to: &out)
        case .chunked:
            append("Transfer-Encoding: chunked\r\n", to: &out)
        case .untilClose, .noBody:
            break
        }
        if close {
            append("Connection: close\r\n", to: &out)
        } else if keepAliveHeader {
            append("Connection: keep-alive\r\n", to: &out)
        }
        if !sawRequestId {
            // Sane by construction: validated client id or a generated one.
            append("X-Request-Id: ", to: &out)
            var id = requestId
            id.withUTF8 { out.append(contentsOf: $0) }
            append("\r\n", to: &out)
        }
        out.append(contentsOf: date)
        if let serverName {
            append("Server: ", to: &out)
            appendSafe(serverName, to: &out)
            append("\r\n", to: &out)
        }
        append("\r\n", to: &out)
        return out
    }

    /// Appends a literal in one copy (the generic `append(contentsOf: "…".utf8)` goes byte by byte).
    @inline(__always)
    private static func append(_ literal: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Whether `status` forbids a body (RFC 9110 §6.4.1).
    static func forbidsBody(_ status: HTTPStatus) -> Bool {
        status.code < 200 || status.code == 204 || status.code == 304
    }

    /// Appends `text`, replacing CR, LF and other controls so a value can never start a new line.
    private static func appendSafe(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            // Almost every value is clean: check, then copy in one go.
            if !bytes.contains(where: isUnsafe) {
                out.append(contentsOf: bytes)
                return
            }
            for b in bytes { out.append(isUnsafe(b) ? 32 : b) }
        }
    }

    @inline(__always)
    private static func isUnsafe(_ b: UInt8) -> Bool { b < 0x20 && b != 9 || b == 0x7F }

    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value == 0 {
            out.append(48)
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while n > 0 && count < 20 {
                d[count] = UInt8(48 + n % 10)
                n /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(d[i]) }
        }
    }
}
