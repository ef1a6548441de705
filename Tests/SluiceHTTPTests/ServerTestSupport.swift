import Foundation
import SluiceTestSupport
import Logging
import Synchronization
import Testing
@testable import SluiceHTTP

#if canImport(Glibc)
import Glibc
#endif

/// A parsed response as seen on the wire by `RawClient`.
struct WireResponse {
    var status: Int
    var reason: String
    var headers: HTTPHeaders
    var body: [UInt8]
    var bodyText: String { String(decoding: body, as: UTF8.self) }
    var errorCode: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let error = object["error"] as? [String: Any] else { return nil }
        return error["code"] as? String
    }
}

struct RawClientError: Error, CustomStringConvertible {
    var description: String
}

/// A blocking raw-socket HTTP client for tests; every call is bounded by a receive timeout.
/// Use it from `offPool` so it never blocks the Swift concurrency pool.
// @unchecked Sendable: a test hands a client between threads but uses it from one at a time.
final class RawClient: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, timeoutSeconds: Int = 5, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawClientError(description: "socket failed") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr)
        let rc = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if rc != 0 {
            let e = errno
            close(fd)
            throw RawClientError(description: "connect failed errno \(e)")
        }
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { throw RawClientError(description: "send failed errno \(errno)") }
            offset += n
        }
    }

    /// Reads more bytes into the buffer; false on EOF.
    private var chunk = [UInt8](repeating: 0, count: 65536)

    private func fill() throws -> Bool {
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 {
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
        if n == 0 { return false }
        if errno == ECONNRESET { return false }
        throw RawClientError(description: "recv failed errno \(errno)")
    }

    private func readLine() throws -> String {
        while true {
            if let i = buffer.firstIndex(of: 10) {
                let line = buffer[..<i]
                buffer.removeSubrange(...i)
                return String(decoding: line.last == 13 ? line.dropLast() : line, as: UTF8.self)
            }
            guard try fill() else { throw RawClientError(description: "EOF while reading a line") }
        }
    }

    private func readExactly(_ count: Int, into out: inout [UInt8]) throws {
        var needed = count
        while needed > 0 {
            if buffer.isEmpty, try !fill() { throw RawClientError(description: "EOF while reading body") }
            let n = min(needed, buffer.count)
            out.append(contentsOf: buffer[..<n])
            buffer.removeSubrange(..<n)
            needed -= n
        }
    }

    /// Reads one response; `head` true for a HEAD request (no body is read).
    func readResponse(head: Bool = false) throws -> WireResponse {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw RawClientError(description: "bad status line \(statusLine)") }
        var headers = HTTPHeaders()
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { throw RawClientError(description: "bad header \(line)") }
            headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = WireResponse(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers, body: [])
        if head || status < 200 || status == 204 || status == 304 { return response }
        if let length = headers["Content-Length"].flatMap(Int.init) {
            try readExactly(length, into: &response.body)
        } else if headers["Transfer-Encoding"]?.lowercased() == "chunked" {
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else { throw RawClientError(description: "bad chunk size") }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    break
                }
                try readExactly(size, into: &response.body)
                var crlf: [UInt8] = []
                try readExactly(2, into: &crlf)
            }
        } else {
            while try fill() {}
            response.body = buffer
            buffer = []
        }
        return response
    }

    /// Sends `request` and reads the response.
    func roundTrip(_ request: String) throws -> WireResponse {
        try send(request)
        return try readResponse(head: request.hasPrefix("HEAD "))
    }

    /// Whether a response byte is buffered or arrives within `timeoutMilliseconds` (EOF counts too).
    func hasDataWaiting(timeoutMilliseconds: Int32) -> Bool {
        if !buffer.isEmpty { return true }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, timeoutMilliseconds) > 0
    }

    /// True when the server closed the connection (EOF or reset) and sent nothing more.
    func isClosedByPeer() -> Bool {
        if !buffer.isEmpty { return false }
        return (try? fill()) == false
    }
}

/// Runs blocking test-client code on its own thread so it never starves the concurrency pool.
/// A quiet logger for tests.
func testLogger() -> Logger {
    var logger = Logger(label: "sluice.http.test")
    logger.logLevel = .critical
    return logger
}

/// Starts a server on 127.0.0.1 port 0 with short timeouts; runs `body`, then shuts down.
func withServer(
    _ responder: some HTTPResponder,
    configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    logger: Logger = testLogger(),
    _ body: (HTTPServer) async throws -> Void
) async throws {
    var config = HTTPServerConfiguration(
        port: 0, threads: 2, headerReadTimeout: .seconds(2), idleTimeout: .seconds(5),
        bodyReadTimeout: .seconds(2), drainTimeout: .seconds(3)
    )
    configure(&config)
    let server = HTTPServer(configuration: config, responder: responder, logger: logger)
    try server.start()
    do {
        try await body(server)
    } catch {
        await server.shutdown()
        throw error
    }
    await server.shutdown()
}

/// A router with the routes most protocol tests use.
func echoRouter() -> Router {
    var router = Router()
    router.add(.GET, "/hello") { _ in .text("hello") }
    router.add(.POST, "/echo") { request in
        var headers = HTTPHeaders()
        headers.add("X-Body-Length", String(request.body.count))
        return HTTPResponse(status: .ok, headers: headers, body: .bytes(request.body))
    }
    router.add(.POST, "/small", options: RouteOptions(bodyLimit: 1024)) { request in .text("got \(request.body.count)") }
    router.add(.GET, "/n/{n}") { request in .text("n=\(request.pathParameters["n"] ?? "")") }
    router.add(.GET, "/slow") { _ in
        try await Task.sleep(for: .milliseconds(600))
        return .text("slow")
    }
    return router
}

/// A shared integer for tests (Atomic itself cannot be captured by escaping closures).
final class Counter: Sendable {
    private let storage = Atomic<Int>(0)
    var value: Int { storage.load(ordering: .relaxed) }
    func add(_ n: Int = 1) { storage.add(n, ordering: .relaxed) }
    func set(_ n: Int) { storage.store(n, ordering: .relaxed) }
}
