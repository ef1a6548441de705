import Foundation

/// Reads one response from a connection: head, framing (RFC 9112 §6.3) and a size-capped body.
struct HTTPClientResponseReader {
    enum Framing: Equatable {
        case none
        case length(Int)
        case chunked
        case untilClose
    }

    let connection: HTTPClientConnection
    let maxHeadBytes: Int
    let maxBodyBytes: Int
    /// Deadline for the next socket wait (per-read timeout capped by the total deadline).
    let deadline: () -> ContinuousClock.Instant

    /// Reads the final (non-1xx) head.
    func readHead() throws(HTTPClientError) -> HTTPClientResponseHead {
        // Bounded: a server may send a few interim 1xx responses, not an endless stream.
        for _ in 0..<8 {
            let head = try HTTPClientResponseHead(try readHeadBytes())
            if head.status == 101 { throw HTTPClientError(.malformedResponse, "unexpected protocol switch") }
            if head.status >= 200 { return head }
        }
        throw HTTPClientError(.malformedResponse, "too many interim responses")
    }

    /// How the body is delimited, or an error for contradictory or invalid framing.
    static func framing(of head: HTTPClientResponseHead, requestMethod: String) throws(HTTPClientError) -> Framing {
        if requestMethod == "HEAD" || head.status == 204 || head.status == 304 || head.status < 200 { return .none }
        let codings = head.tokens("Transfer-Encoding")
        if !codings.isEmpty {
            // Only chunked as the final coding delimits the message; anything else runs until close.
            return codings.last == "chunked" ? .chunked : .untilClose
        }
        let lengths = head.headers.values("Content-Length").flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard let first = lengths.first else { return .untilClose }
        guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.count <= 18,
              first.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let length = Int(first) else {
            throw HTTPClientError(.malformedResponse, "invalid Content-Length")
        }
        return .length(length)
    }

    func readBody(_ framing: Framing) throws(HTTPClientError) -> [UInt8] {
        switch framing {
        case .none:
            return []
        case .length(let length):
            guard length <= maxBodyBytes else { throw tooLarge() }
            return try readExactly(length)
        case .chunked:
            return try readChunked()
        case .untilClose:
            var body: [UInt8] = []
            while true {
                if connection.bufferedCount > 0 {
                    guard body.count + connection.bufferedCount <= maxBodyBytes else { throw tooLarge() }
                    body += connection.consume(connection.bufferedCount)
                }
                guard try connection.fill(deadline: deadline) else {
                    guard connection.endOfStreamIsClean else {
                        throw HTTPClientError(.connectionClosed, "server closed the TLS connection without close_notify; the body may be truncated")
                    }
                    return body
                }
            }
        }
    }

    private func tooLarge() -> HTTPClientError {
        HTTPClientError(.responseTooLarge, "response body exceeds \(maxBodyBytes) bytes")
    }

    private func readHeadBytes() throws(HTTPClientError) -> ArraySlice<UInt8> {
        let head = try findHead()
        guard head.count <= maxHeadBytes else {
            throw HTTPClientError(.responseTooLarge, "response head exceeds \(maxHeadBytes) bytes")
        }
        return head
    }

    private func findHead() throws(HTTPClientError) -> ArraySlice<UInt8> {
        var scanFrom = 0
        while true {
            // The head ends at the first empty line: "\n\n" or "\n\r\n".
            while let newline = connection.firstIndex(of: UInt8(ascii: "\n"), from: scanFrom) {
                let next = newline + 1
                if next < connection.bufferedCount && connection.peek(next) == UInt8(ascii: "\n") {
                    return connection.consume(next + 1)
                }
                if next + 1 < connection.bufferedCount && connection.peek(next) == UInt8(ascii: "\r") && connection.peek(next + 1) == UInt8(ascii: "\n") {
                    return connection.consume(next + 2)
                }
                if next + 1 >= connection.bufferedCount { break }
                scanFrom = next
            }
            guard connection.bufferedCount <= maxHeadBytes else {
                throw HTTPClientError(.responseTooLarge, "response head exceeds \(maxHeadBytes) bytes")
            }
            guard try connection.fill(deadline: deadline) else {
                throw HTTPClientError(.connectionClosed, connection.bufferedCount == 0
                    ? "server closed the connection without responding" : "server closed the connection mid-head")
            }
        }
    }

    private func readExactly(_ count: Int) throws(HTTPClientError) -> [UInt8] {
        while connection.bufferedCount < count {
            guard try connection.fill(deadline: deadline) else {
                throw HTTPClientError(.connectionClosed, "server closed the connection mid-body")
            }
        }
        return Array(connection.consume(count))
    }

    /// One CRLF- (or LF-) terminated line without its terminator, at most `limit` bytes.
    private func readLine(limit: Int) throws(HTTPClientError) -> ArraySlice<UInt8> {
        while true {
            if let newline = connection.firstIndex(of: UInt8(ascii: "\n")) {
                guard newline <= limit else { throw HTTPClientError(.malformedResponse, "chunk line too long") }
                let line = connection.consume(newline + 1).dropLast()
                return line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            }
            guard connection.bufferedCount <= limit else { throw HTTPClientError(.malformedResponse, "chunk line too long") }
            guard try connection.fill(deadline: deadline) else {
                throw HTTPClientError(.connectionClosed, "server closed the connection mid-chunk")
            }
        }
    }

    /// RFC 9112 §7.1: chunk-size [ext] CRLF data CRLF ... 0 CRLF trailers CRLF.
    private func readChunked() throws(HTTPClientError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine(limit: 4096)
            let sizeField = line.prefix { $0 != UInt8(ascii: ";") && $0 != 0x20 && $0 != 0x09 }
            guard !sizeField.isEmpty, sizeField.count <= 15, sizeField.allSatisfy({ isHexDigit($0) }),
                  let size = Int(String(decoding: sizeField, as: UTF8.self), radix: 16), size >= 0 else {
                throw HTTPClientError(.malformedResponse, "bad chunk size")
            }
            if size == 0 { break }
            guard body.count + size <= maxBodyBytes else { throw tooLarge() }
            body += try readExactly(size)
            guard try readLine(limit: 2).isEmpty else { throw HTTPClientError(.malformedResponse, "chunk not followed by CRLF") }
        }
        // Trailer fields are read and dropped, within the head budget.
        var trailerBytes = 0
        while true {
            let line = try readLine(limit: maxHeadBytes)
            if line.isEmpty { return body }
            trailerBytes += line.count
            guard trailerBytes <= maxHeadBytes else { throw HTTPClientError(.responseTooLarge, "chunked trailers too large") }
        }
    }

    private func isHexDigit(_ c: UInt8) -> Bool {
        (0x30...0x39).contains(c) || (0x41...0x46).contains(c) || (0x61...0x66).contains(c)
    }
}
