import Foundation
import SluiceTestSupport
import Synchronization
import Testing
@testable import SluiceHTTP

/// Many connections at once, and slow handlers that must not hold up others.
struct ServerConcurrencyTests {
    @Test func serves200ConcurrentKeepAliveConnections() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            let served = Counter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        try await offPool {
                            let clients = try (0..<25).map { _ in try RawClient(port: port) }
                            for round in 0..<4 {
                                for (i, c) in clients.enumerated() {
                                    let body = "w\(worker)c\(i)r\(round)"
                                    try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
                                }
                                for (i, c) in clients.enumerated() {
                                    let r = try c.readResponse()
                                    #expect(r.bodyText == "w\(worker)c\(i)r\(round)")
                                    served.add()
                                }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(served.value == 800)
        }
    }

    @Test func slowHandlerDoesNotBlockAnotherConnection() async throws {
        // `/held` answers only when the test lets it: it is surely running while the other request is served.
        let reached = TestGate(), released = TestGate()
        var router = echoRouter()
        router.add(.GET, "/held") { _ in
            reached.open()
            _ = await released.wait()
            return .text("held")
        }
        try await withServer(router, configure: { $0.threads = 1 }) { server in
            let port = server.port
            let slowDone = Counter()
            async let slow: Void = offPool {
                let c = try RawClient(port: port, timeoutSeconds: 60)
                #expect(try c.roundTrip("GET /held HTTP/1.1\r\nHost: x\r\n\r\n").bodyText == "held")
                slowDone.set(1)
            }
            #expect(await reached.wait(), "the held request never reached its handler")
            try await offPool {
                let c = try RawClient(port: port)
                #expect(try c.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").bodyText == "hello")
                // The held handler on the same (single) loop is still running.
                #expect(slowDone.value == 0)
            }
            released.open()
            try await slow
        }
    }
}
