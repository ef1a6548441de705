import Foundation
import SluiceTestSupport
import Synchronization
import Testing
@testable import SluiceHTTP

/// Handler tasks run with their event loop as task executor preference.
struct ServerEventLoopExecutorTests {
    @Test func handlerSuspendedPastShutdownStillFinishes() async throws {
        // The loop thread is gone when the handler resumes: its job must run elsewhere, not be lost.
        let resumed = Counter()
        var router = Router()
        router.add(.GET, "/late") { _ in
            try? await Task.sleep(for: .milliseconds(300))
            resumed.set(1)
            return .text("late")
        }
        let config = HTTPServerConfiguration(port: 0, threads: 1, drainTimeout: .milliseconds(50))
        let server = HTTPServer(configuration: config, responder: router, logger: testLogger())
        try server.start()
        let port = server.port
        let client = try await offPool { () -> RawClient in
            let c = try RawClient(port: port)
            try c.send("GET /late HTTP/1.1\r\nHost: x\r\n\r\n")
            return c
        }
        try await Task.sleep(for: .milliseconds(50))
        await server.shutdown()
        #expect(resumed.value == 0)
        for _ in 0..<100 where resumed.value == 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(resumed.value == 1)
        _ = client
    }

    @Test func loopThreadsCarryTheirName() async throws {
        var router = Router()
        router.addSync(.GET, "/name") { _ in
            // A sync route runs on the loop thread: its name is the loop's.
            let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            return .text(name.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        try await withServer(router, configure: { $0.threads = 2 }) { server in
            let port = server.port
            try await offPool {
                let c = try RawClient(port: port)
                try c.send("GET /name HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try c.readResponse().bodyText == "sluice.loop")
            }
        }
    }

    @Test func handlerOnTheLoopServesManySequentialRequests() async throws {
        try await withServer(echoRouter(), configure: { $0.threads = 1 }) { server in
            let port = server.port
            try await offPool {
                let c = try RawClient(port: port)
                for i in 0..<200 {
                    let body = "r\(i)"
                    try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
                    #expect(try c.readResponse().bodyText == body)
                }
            }
        }
    }

    @Test func asyncHandlerStartsAndResumesOnItsLoopThread() async throws {
        // Handler tasks start inline on the loop thread and resume there after a suspension (the
        // loop is their preferred executor), never on the shared pool. A sync route, which always
        // runs on the loop thread, tells which thread that is.
        @Sendable func thread() -> String { String(UInt(pthread_self())) }
        var router = Router()
        router.addSync(.GET, "/loop") { _ in .text(thread()) }
        router.add(.GET, "/where") { _ in
            let before = thread()
            try await Task.sleep(for: .milliseconds(5))
            return .text(before + " " + thread())
        }
        try await withServer(router, configure: { $0.threads = 1 }) { server in
            let port = server.port
            try await offPool {
                let c = try RawClient(port: port)
                let loop = try c.roundTrip("GET /loop HTTP/1.1\r\nHost: x\r\n\r\n").bodyText
                for _ in 0..<5 {
                    #expect(try c.roundTrip("GET /where HTTP/1.1\r\nHost: x\r\n\r\n").bodyText == loop + " " + loop)
                }
            }
        }
    }
}
