import Foundation

/// A parsed status line and header block.
struct HTTPClientResponseHead: Sendable {
    var minorVersion: Int
    var status: Int
    var reason: String
    var headers: HTTPHeaders

    /// Parses the bytes before the blank line (lines end in CRLF or bare LF).
    init(_ bytes: ArraySlice<UInt8>) throws(HTTPClientError) {
        func malformed(_ why: String) -> HTTPClientError { HTTPClientError(.malformedResponse, why) }
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let statusLine = lines.first else { throw malformed("empty response head") }

        // status-line = HTTP-version SP status-code SP [ reason-phrase ]   (RFC 9112 §4)
        let text = String(decoding: statusLine, as: UTF8.self)
        let utf8 = Array(text.utf8)
        guard utf8.count >= 12, text.hasPrefix("HTTP/1."), utf8[8] == UInt8(ascii: " ") else { throw malformed("bad status line") }
        guard let minor = Int(String(decoding: utf8[7...7], as: UTF8.self)), minor <= 1 else { throw malformed("unsupported HTTP version") }
        let code = utf8[9..<12]
        guard code.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let status = Int(String(decoding: code, as: UTF8.self)), (100...599).contains(status) else {
            throw malformed("bad status code")
        }
        guard utf8.count == 12 || utf8[12] == UInt8(ascii: " ") else { throw malformed("bad status line") }
        minorVersion = minor
        self.status = status
        reason = utf8.count > 13 ? String(decoding: utf8[13...], as: UTF8.self) : ""

        var headers = HTTPHeaders()
        guard lines.count <= 201 else { throw HTTPClientError(.responseTooLarge, "too many response header fields") }
        for line in lines.dropFirst() {
            // obs-fold (RFC 9112 §5.2) is rejected rather than unfolded.
            guard let first = line.first, first != 0x20, first != 0x09 else { throw malformed("folded or empty header line") }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw malformed("header line without colon") }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
            guard HTTPClientRequestEncoder.isToken(name) else { throw malformed("bad header name") }
            var value = line[(colon + 1)...]
            while let c = value.first, c == 0x20 || c == 0x09 { value.removeFirst() }
            while let c = value.last, c == 0x20 || c == 0x09 { value.removeLast() }
            guard value.allSatisfy({ $0 == 0x09 || $0 >= 0x20 && $0 != 0x7F }) else { throw malformed("control character in header value") }
            headers.add(name, String(decoding: value, as: UTF8.self))
        }
        self.headers = headers
    }

    /// Comma-separated tokens across every `name` field, lower-cased.
    func tokens(_ name: String) -> [String] {
        headers.values(name).flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
    }
}
