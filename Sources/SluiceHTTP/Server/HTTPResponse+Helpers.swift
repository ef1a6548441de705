#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension HTTPResponse {
    /// `value` encoded as JSON; an encoding failure becomes a 500 error response.
    public static func json(_ status: HTTPStatus, _ value: some Encodable, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else {
            return .error(.internalServerError, code: "encoding_failed", message: "Response could not be encoded")
        }
        return json(status, bytes: [UInt8](data), headers: headers)
    }

    /// Already-encoded JSON bytes.
    public static func json(_ status: HTTPStatus = .ok, bytes: [UInt8], headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var h = headers
        h.set("Content-Type", "application/json")
        return HTTPResponse(status: status, headers: h, body: .bytes(bytes))
    }

    public static func text(_ status: HTTPStatus, _ text: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var h = headers
        h.set("Content-Type", "text/plain; charset=utf-8")
        return HTTPResponse(status: status, headers: h, body: .bytes(Array(text.utf8)))
    }

    public static func html(_ status: HTTPStatus, _ html: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var h = headers
        h.set("Content-Type", "text/html; charset=utf-8")
        return HTTPResponse(status: status, headers: h, body: .bytes(Array(html.utf8)))
    }

    /// 200 with `value` as JSON.
    public static func json(_ value: some Encodable) -> HTTPResponse { json(.ok, value) }

    /// 200 with a plain-text body.
    public static func text(_ text: String) -> HTTPResponse { self.text(.ok, text) }

    /// 200 with an HTML body.
    public static func html(_ html: String) -> HTTPResponse { self.html(.ok, html) }

    /// `{"error":{"code":"…","message":"…"}}` with both strings JSON-escaped.
    public static func error(_ status: HTTPStatus, code: String, message: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        json(status, bytes: errorBody(code: code, message: message), headers: headers)
    }

    /// The JSON error body, built without Foundation so the event loop can use it.
    static func errorBody(code: String, message: String) -> [UInt8] {
        var out: [UInt8] = Array(#"{"error":{"code":"#.utf8)
        JSONEscaping.append(code, to: &out)
        out.append(contentsOf: #","message":"#.utf8)
        JSONEscaping.append(message, to: &out)
        out.append(contentsOf: "}}".utf8)
        return out
    }
}

/// Minimal JSON string escaping (RFC 8259 §7), also escaping <, > and & so HTML sniffing is inert.
enum JSONEscaping {
    static func append(_ string: String, to out: inout [UInt8]) {
        out.append(34)
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        for b in string.utf8 {
            switch b {
            case 34: out.append(contentsOf: [92, 34])
            case 92: out.append(contentsOf: [92, 92])
            case 10: out.append(contentsOf: [92, 110])
            case 13: out.append(contentsOf: [92, 114])
            case 9: out.append(contentsOf: [92, 116])
            case 0..<0x20, 0x7F, 60, 62, 38:
                out.append(contentsOf: [92, 117, 48, 48, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
        out.append(34)
    }
}
