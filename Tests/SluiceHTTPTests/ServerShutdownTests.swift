import Foundation
import SluiceTestSupport
import Logging
import Synchronization
import Testing
@testable import SluiceHTTP

/// Graceful shutdown, access log and metrics hook.
struct ServerShutdownTests {
    @Test func inFlightRequestCompletesWhileShutdownRuns() async throws {
        // `/held` answers only once the test has seen the drain begin: it is in flight for the whole drain.
        let reached = TestGate(), released = TestGate()
        var router = echoRouter()
        router.add(.GET, "/held") { _ in
            reached.open()
            _ = await released.wait()
            return .text("held")
        }
        let config = HTTPServerConfiguration(port: 0, threads: 2, drainTimeout: .seconds(30))
        let server = HTTPServer(configuration: config, responder: router, logger: testLogger())
        try server.start()
        let port = server.port
        let runTask = Task { try await server.run() }
        let idle = try await offPool { () -> RawClient in
            let c = try RawClient(port: port)
            #expect(try c.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
            return c
        }
        async let slow = offPool { () -> WireResponse in
            let c = try RawClient(port: port, timeoutSeconds: 60)
            return try c.roundTrip("GET /held HTTP/1.1\r\nHost: x\r\n\r\n")
        }
        #expect(await reached.wait(), "the request never reached its handler")
        #expect(!server.isDraining)
        async let stopping: Void = server.shutdown()
        #expect(await eventually { server.isDraining })
        // Idle keep-alive connections are closed at once; new connections are refused.
        #expect(await offPool { idle.isClosedByPeer() })
        #expect(throws: RawClientError.self) { _ = try RawClient(port: port) }
        released.open()
        let response = try await slow
        #expect(response.status == 200)
        #expect(response.bodyText == "held")
        #expect(response.headers["Connection"] == "close")
        await stopping
        try await runTask.value
        #expect(server.connectionCount == 0)
        #expect(throws: RawClientError.self) { _ = try RawClient(port: port) }
    }

    @Test func drainTimeoutBoundsShutdown() async throws {
        let reached = TestGate(), finished = TestGate()
        var router = Router()
        router.add(.GET, "/forever") { _ in
            reached.open()
            try await Task.sleep(for: .seconds(30))
            finished.open()
            return .text("late")
        }
        let config = HTTPServerConfiguration(port: 0, threads: 1, drainTimeout: .milliseconds(300))
        let server = HTTPServer(configuration: config, responder: router, logger: testLogger())
        try server.start()
        let port = server.port
        let client = try await offPool { () -> RawClient in
            let c = try RawClient(port: port)
            try c.send("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")
            return c
        }
        #expect(await reached.wait(), "the request never reached its handler")
        await server.shutdown()
        // Shutdown returned without waiting for the 30 s handler: the drain timeout cut it short.
        #expect(!finished.isOpen)
        #expect(await offPool { client.isClosedByPeer() })
    }

    @Test func logsOneAccessLineAndObservesEachRequest() async throws {
        let (logger, records) = CapturingLogHandler.logger(label: "access", level: .info)
        let observations = Mutex<[RequestObservation]>([])
        try await withServer(echoRouter(), configure: { config in
            config.observer = { o in observations.withLock { $0.append(o) } }
        }, logger: logger) { server in
            let port = server.port
            try await offPool {
                let c = try RawClient(port: port)
                let r = try c.roundTrip("GET /n/7?token=secret HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer hunter2\r\nX-Request-Id: req-1\r\n\r\n")
                #expect(r.status == 200)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let lines = records.named("request")
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.metadata["request.id"] == "req-1")
        #expect(line.metadata["method"] == "GET")
        #expect(line.metadata["path"] == "/n/7")
        #expect(line.metadata["status"] == "200")
        #expect(line.metadata["route"] == "/n/{n}")
        #expect(line.metadata["remote"]?.hasPrefix("127.0.0.1:") == true)
        #expect(line.metadata["duration_ms"] != nil)
        let everything = line.metadata.values.joined(separator: " ")
        #expect(!everything.contains("secret"))
        #expect(!everything.contains("hunter2"))
        let seen = observations.withLock { $0 }
        #expect(seen.count == 1)
        #expect(seen.first?.routePattern == "/n/{n}")
        #expect(seen.first?.status == 200)
    }
}
