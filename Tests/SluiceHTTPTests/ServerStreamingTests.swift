import Foundation
import SluiceTestSupport
import Synchronization
import Testing
@testable import SluiceHTTP

/// Streamed request and response bodies with backpressure.
struct ServerStreamingTests {
    @Test func streamedRequestBodyAppliesBackpressure() async throws {
        let gate = Gate()
        var router = Router()
        router.add(.POST, "/import", options: RouteOptions(bodyLimit: 1 << 30, streamingBody: true)) { request in
            await gate.wait()
            var total = 0
            var intact = true
            for try await chunk in try #require(request.bodyStream) {
                // Byte i of the body is i % 251; spot-check each chunk's ends.
                if chunk.first != UInt8(total % 251) || chunk.last != UInt8((total + chunk.count - 1) % 251) { intact = false }
                total += chunk.count
            }
            return .text("\(total) \(intact)")
        }
        let size = 24 << 20
        try await withServer(router, configure: { $0.requestStreamBufferBytes = 256 * 1024 }) { server in
            let port = server.port
            let (c, stalledAt) = try await offPool { () -> (RawClient, Int) in
                let c = try RawClient(port: port, timeoutSeconds: 1)
                try c.send("POST /import HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n\r\n")
                return (c, c.sendUntilStalled(total: size))
            }
            // Kernel buffers take a few MB; the server must not have swallowed the rest.
            #expect(stalledAt < size)
            await gate.open()
            let response = try await offPool {
                try c.finishSend(total: size, from: stalledAt)
                return try c.readResponse()
            }
            #expect(response.bodyText == "\(size) true")
        }
    }

    @Test func streamedChunkedRequestBody() async throws {
        var router = Router()
        router.add(.POST, "/import", options: RouteOptions(streamingBody: true)) { request in
            let body = try await request.collectBody(upTo: 1 << 20)
            return .text(String(decoding: body, as: UTF8.self))
        }
        try await withServer(router) { server in
            let port = server.port
            try await offPool {
                let c = try RawClient(port: port)
                let r = try c.roundTrip("POST /import HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
                #expect(r.bodyText == "abcde")
            }
        }
    }

    @Test func streamedChunkedBodyOverTheLimitGets413AndFailsTheStream() async throws {
        let failure = Counter()
        var router = Router()
        router.add(.POST, "/import", options: RouteOptions(bodyLimit: 1000, streamingBody: true)) { request in
            do {
                for try await _ in try #require(request.bodyStream) {}
            } catch let error as HTTPServerError where error.code == .bodyTooLarge {
                failure.add()
            }
            return .text("handler")
        }
        try await withServer(router) { server in
            let port = server.port
            try await offPool {
                let c = try RawClient(port: port)
                let chunk = String(repeating: "x", count: 600)
                let r = try c.roundTrip("POST /import HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n")
                #expect(r.status == 413)
                #expect(c.isClosedByPeer())
            }
            try await Task.sleep(for: .milliseconds(100))
            #expect(failure.value == 1)
        }
    }

    @Test func streamedResponseIsChunkedAndBounded() async throws {
        let produced = Counter()
        let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
        let total = 16 << 20
        var router = Router()
        router.add(.GET, "/export") { _ in
            HTTPResponse(status: .ok, body: .stream(HTTPResponseStream { writer in
                var sent = 0
                while sent < total {
                    try await writer.write(chunk)
                    sent += chunk.count
                    produced.set(sent)
                }
            }))
        }
        try await withServer(router, configure: {
            $0.responseStreamBufferBytes = 128 * 1024
            $0.idleTimeout = .seconds(30)
        }) { server in
            let port = server.port
            let c = try await offPool { () -> RawClient in
                let c = try RawClient(port: port, receiveBuffer: 64 * 1024)
                try c.send("GET /export HTTP/1.1\r\nHost: x\r\n\r\n")
                return c
            }
            // The client reads nothing yet: the producer must stall well before the end.
            try await Task.sleep(for: .milliseconds(400))
            #expect(produced.value < total)
            let r = try await offPool { try c.readResponse() }
            #expect(r.status == 200)
            #expect(r.headers["Transfer-Encoding"] == "chunked")
            #expect(r.body.count == total)
            #expect(r.body.allSatisfy { $0 == 0x61 })
            // Keep-alive still works after a streamed response.
            let next = try await offPool { try c.roundTrip("GET /export HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") }
            #expect(next.body.count == total)
        }
    }

    @Test func streamedResponseToHTTP10EndsWithClose() async throws {
        var router = Router()
        router.add(.GET, "/export") { _ in
            HTTPResponse(body: .stream(HTTPResponseStream { writer in
                for i in 0..<3 { try await writer.write("part\(i);") }
            }))
        }
        try await withServer(router) { server in
            let port = server.port
            try await offPool {
                let c = try RawClient(port: port)
                let r = try c.roundTrip("GET /export HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                #expect(r.headers["Transfer-Encoding"] == nil)
                #expect(r.headers["Connection"] == "close")
                #expect(r.bodyText == "part0;part1;part2;")
            }
        }
    }

    @Test func failingProducerTruncatesAndCloses() async throws {
        struct Broken: Error {}
        var router = Router()
        router.add(.GET, "/export") { _ in
            HTTPResponse(body: .stream(HTTPResponseStream { writer in
                try await writer.write("partial")
                throw Broken()
            }))
        }
        try await withServer(router) { server in
            let port = server.port
            try await offPool {
                let c = try RawClient(port: port)
                // No terminating zero-size chunk: the client must see a broken body, not a complete one.
                #expect(throws: RawClientError.self) { _ = try c.roundTrip("GET /export HTTP/1.1\r\nHost: x\r\n\r\n") }
            }
        }
    }

    @Test func headOfStreamedResponseSendsNoBody() async throws {
        var router = Router()
        router.add(.GET, "/export") { _ in
            HTTPResponse(body: .stream(HTTPResponseStream { writer in try await writer.write("data") }))
        }
        try await withServer(router) { server in
            let port = server.port
            try await offPool {
                let c = try RawClient(port: port)
                let r = try c.roundTrip("HEAD /export HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(r.status == 200)
                #expect(try c.roundTrip("GET /export HTTP/1.1\r\nHost: x\r\n\r\n").bodyText == "data")
            }
        }
    }
}

/// A one-shot async gate.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for w in waiters { w.resume() }
        waiters = []
    }
}

extension RawClient {
    /// 251 x 256 bytes where byte i is i % 251, so any offset into the pattern is `offset % 251`.
    static let pattern: [UInt8] = (0..<(251 * 256)).map { UInt8($0 % 251) }

    /// Sends the pattern (byte i = i % 251) until a send times out; returns bytes sent.
    func sendUntilStalled(total: Int) -> Int {
        var sent = 0
        while sent < total {
            let n = min(32 * 1024, total - sent)
            let phase = sent % 251
            let w = RawClient.pattern.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + phase, n, Int32(MSG_NOSIGNAL)) }
            if w <= 0 { return sent }
            sent += w
        }
        return sent
    }

    func finishSend(total: Int, from start: Int) throws {
        var sent = start
        while sent < total {
            let n = min(32 * 1024, total - sent)
            let phase = sent % 251
            let w = RawClient.pattern.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + phase, n, Int32(MSG_NOSIGNAL)) }
            if w < 0 && errno == EAGAIN { continue }
            if w <= 0 { throw RawClientError(description: "send failed errno \(errno)") }
            sent += w
        }
    }
}
