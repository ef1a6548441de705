import Foundation
import SluiceTestSupport
import Testing
@testable import SluiceHTTP

/// Size limits, timeouts and the connection cap.
struct ServerLimitsTests {
    @Test func oversizedHeadersGet431() async throws {
        try await withServer(echoRouter(), configure: { $0.maxHeaderBytes = 4096 }) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let big = String(repeating: "a", count: 5000)
                let r = try client.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: \(big)\r\n\r\n")
                #expect(r.status == 431)
                #expect(r.errorCode == "headers_too_large")
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func tooManyHeaderFieldsGet431() async throws {
        try await withServer(echoRouter(), configure: { $0.maxHeaderCount = 10 }) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let fields = (0..<11).map { "X-\($0): v\r\n" }.joined()
                let r = try client.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\(fields)\r\n")
                #expect(r.status == 431)
            }
        }
    }

    @Test func overlongTargetGets414() async throws {
        try await withServer(echoRouter(), configure: { $0.maxURILength = 256 }) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let r = try client.roundTrip("GET /\(String(repeating: "p", count: 300)) HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(r.status == 414)
            }
        }
    }

    @Test func oversizedContentLengthGets413BeforeTheBodyIsSent() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                // Only the head is sent: the answer must not wait for 100 MB that never come.
                try client.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n")
                let r = try client.readResponse()
                #expect(r.status == 413)
                #expect(r.errorCode == "body_too_large")
                #expect(r.headers["Connection"] == "close")
            }
        }
    }

    @Test func oversizedChunkedBodyGets413() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let chunk = String(repeating: "z", count: 800)
                let request = "POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "320\r\n\(chunk)\r\n320\r\n\(chunk)\r\n0\r\n\r\n"
                let r = try client.roundTrip(request)
                #expect(r.status == 413)
            }
        }
    }

    @Test func bodyWithinRouteLimitIsAccepted() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let body = String(repeating: "q", count: 1024)
                let r = try client.roundTrip("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n\(body)")
                #expect(r.bodyText == "got 1024")
            }
        }
    }

    @Test func slowHeadersAreAnswered408AndClosed() async throws {
        try await withServer(echoRouter(), configure: { $0.headerReadTimeout = .milliseconds(300) }) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                // Trickle bytes faster than any per-read timeout, slower than the head deadline.
                for piece in ["GET ", "/hel", "lo H", "TTP/", "1.1\r", "\n"] {
                    try? client.send(piece)
                    Thread.sleep(forTimeInterval: 0.1)
                }
                // A 408 comes only from the head deadline (the idle timeout closes silently); the client's
                // 5 s receive timeout bounds the wait for it.
                let r = try client.readResponse()
                #expect(r.status == 408)
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func silentConnectionIsClosedWithoutResponse() async throws {
        try await withServer(echoRouter(), configure: { $0.headerReadTimeout = .milliseconds(200) }) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                // isClosedByPeer is false if any byte (such as a 408) arrives before EOF.
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func slowBodyIsAnswered408() async throws {
        try await withServer(echoRouter(), configure: { $0.bodyReadTimeout = .milliseconds(300) }) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
                let r = try client.readResponse()
                #expect(r.status == 408)
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func tricklingBodyIsCutOffByTheMinimumRate() async throws {
        try await withServer(echoRouter(), configure: {
            $0.bodyReadTimeout = .milliseconds(1500)
            $0.minimumBodyRate = 100
        }) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
                // One byte per 100 ms: far inside the pause limit, far below 100 bytes per second, so
                // only the rate rule can answer (after about 1.7 s). Bounded: at most 200 bytes.
                for _ in 0..<200 {
                    if client.hasDataWaiting(timeoutMilliseconds: 100) { break }
                    try? client.send("x")
                }
                let r = try client.readResponse()
                #expect(r.status == 408)
                #expect(r.errorCode == "body_too_slow")
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func bodyAboveTheMinimumRateIsAccepted() async throws {
        try await withServer(echoRouter(), configure: {
            $0.bodyReadTimeout = .milliseconds(1500)
            $0.minimumBodyRate = 100
        }) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
                // 100 bytes per 100 ms earns ten times the time it takes.
                for _ in 0..<10 {
                    try client.send(String(repeating: "y", count: 100))
                    Thread.sleep(forTimeInterval: 0.1)
                }
                let r = try client.readResponse()
                #expect(r.status == 200)
                #expect(r.body.count == 1000)
            }
        }
    }

    @Test func idleKeepAliveConnectionIsClosed() async throws {
        try await withServer(echoRouter(), configure: { $0.idleTimeout = .milliseconds(300) }) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                #expect(try client.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
                Thread.sleep(forTimeInterval: 0.8)
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func connectionsBeyondTheCapGet503() async throws {
        try await withServer(echoRouter(), configure: { $0.maxConnections = 3 }) { server in
            let port = server.port
            try await offPool {
                var held: [RawClient] = []
                for _ in 0..<3 {
                    let c = try RawClient(port: port)
                    #expect(try c.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
                    held.append(c)
                }
                let extra = try RawClient(port: port)
                let r = try extra.readResponse()
                #expect(r.status == 503)
                #expect(extra.isClosedByPeer())
                // Capacity returns once a held connection goes away (and the server has seen it go).
                held.removeLast()
                let deadline = ContinuousClock.now + .seconds(10)
                while server.connectionCount >= 3 && ContinuousClock.now < deadline { usleep(5_000) }
                #expect(server.connectionCount < 3, "the server still counts the closed connection")
                let again = try RawClient(port: port)
                #expect(try again.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
                _ = held
            }
        }
    }
}
