import Foundation
import Glibc
import Synchronization

/// A tiny blocking plain-HTTP/1.1 server on 127.0.0.1 for tests: one thread per connection, canned replies.
public final class TestHTTPServer: Sendable {
    public struct Request: Sendable {
        public let method: String
        /// Request target as sent: path plus optional `?query`.
        public let target: String
        public let headers: [(name: String, value: String)]
        public let body: [UInt8]

        public var path: String { String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]) }
        public var query: String {
            let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            return parts.count > 1 ? String(parts[1]) : ""
        }
        public var bodyText: String { String(decoding: body, as: UTF8.self) }

        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]

        public init(status: Int = 200, headers: [(String, String)] = [], body: String = "") {
            self.status = status
            self.headers = headers
            self.body = Array(body.utf8)
        }

        public static func json(_ body: String, status: Int = 200, headers: [(String, String)] = []) -> Response {
            Response(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
        }

        /// An SES v2 error as AWS answers it: the type in `x-amzn-ErrorType`, `{"message": …}` as the body.
        public static func sesError(_ type: String, status: Int, message: String, headers: [(String, String)] = []) -> Response {
            json(#"{"message":"\#(message)"}"#, status: status, headers: [("x-amzn-ErrorType", type)] + headers)
        }

        /// An HTTP `Date` header value (RFC 9110 IMF-fixdate), as a server sets it to show its clock.
        public static func httpDate(_ date: Date) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            return formatter.string(from: date)
        }
    }

    public typealias Handler = @Sendable (Request) -> Response

    public let port: Int
    private let acceptor: LoopbackAcceptor
    private let log = Mutex<[Request]>([])
    private let handler: Handler

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// Every request received, in arrival order.
    public var requests: [Request] { log.withLock { $0 } }

    public init(handler: @escaping Handler) throws {
        self.handler = handler
        acceptor = try LoopbackAcceptor(backlog: 32)
        port = acceptor.port
        acceptor.start { [self] in serve($0) }
    }

    /// Stops accepting; connection threads end within ~50 ms.
    public func stop() { acceptor.stop() }

    private var isStopped: Bool { acceptor.isStopped }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        // Bounded: one pass per request; ends on EOF, stop or error.
        while !isStopped {
            guard let request = readRequest(fd, &buffer) else { return }
            log.withLock { $0.append(request) }
            let response = handler(request)
            guard write(fd, encode(response)) else { return }
        }
    }

    private func encode(_ response: Response) -> [UInt8] {
        var head = "HTTP/1.1 \(response.status) X\r\nContent-Length: \(response.body.count)\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        return Array((head + "\r\n").utf8) + response.body
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> Request? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        while true {
            if let end = buffer.indices.dropLast(3).first(where: { Array(buffer[$0..<($0 + 4)]) == terminator }) {
                let headText = String(decoding: buffer[..<end], as: UTF8.self)
                let lines = headText.components(separatedBy: "\r\n")
                let requestLine = lines[0].split(separator: " ")
                guard requestLine.count == 3 else { return nil }
                var headers: [(name: String, value: String)] = []
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers.append((
                        String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
                }
                let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
                var rest = Array(buffer[(end + 4)...])
                while rest.count < length {
                    guard let more = read(fd) else { return nil }
                    rest += more
                }
                buffer = Array(rest[length...])
                return Request(
                    method: String(requestLine[0]), target: String(requestLine[1]), headers: headers,
                    body: Array(rest[..<length]))
            }
            guard buffer.count < 1 << 20, let more = read(fd) else { return nil }
            buffer += more
        }
    }

    private func read(_ fd: Int32) -> [UInt8]? {
        while !isStopped {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 50) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            let count = recv(fd, &chunk, chunk.count, 0)
            return count > 0 ? Array(chunk[..<count]) : nil
        }
        return nil
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}

/// A failure inside test scaffolding.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
