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
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status.code, to: &out)
        out.append(32)
        appendSafe(status.reasonPhrase, to: &out)
        out.append(contentsOf: "\r\n".utf8)
        var sawRequestId = false
        for (name, value) in headers.entries {
            switch name.utf8.count {
            case 10 where name.caseInsensitiveEquals("connection"): continue
            case 14 where name.caseInsensitiveEquals("content-length"): continue
            case 17 where name.caseInsensitiveEquals("transfer-encoding"): continue
            case 12 where name.caseInsensitiveEquals("x-request-id"): sawRequestId = true
            default: break
            }
            guard !name.isEmpty, name.utf8.allSatisfy(HeaderSyntax.isTokenByte) else { continue }
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            appendSafe(value, to: &out)
            out.append(contentsOf: "\r\n".utf8)
        }
        switch framing {
        case .length(let n):
            out.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(n, to: &out)
            out.append(contentsOf: "\r\n".utf8)
        case .chunked:
            out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        case .untilClose, .noBody:
            break
        }
        if close {
            out.append(contentsOf: "Connection: close\r\n".utf8)
        } else if keepAliveHeader {
            out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        if !sawRequestId {
            out.append(contentsOf: "X-Request-Id: ".utf8)
            out.append(contentsOf: requestId.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: date)
        if let serverName {
            out.append(contentsOf: "Server: ".utf8)
            appendSafe(serverName, to: &out)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        return out
    }

    /// Whether `status` forbids a body (RFC 9110 §6.4.1).
    static func forbidsBody(_ status: HTTPStatus) -> Bool {
        status.code < 200 || status.code == 204 || status.code == 304
    }

    /// Appends `text`, replacing CR, LF and other controls so a value can never start a new line.
    private static func appendSafe(_ text: String, to out: inout [UInt8]) {
        // Almost every value is clean: check, then copy in one go.
        if text.utf8.allSatisfy({ !isUnsafe($0) }) {
            out.append(contentsOf: text.utf8)
            return
        }
        for b in text.utf8 { out.append(isUnsafe(b) ? 32 : b) }
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
