import Glibc
import SluiceTestSupport
import Testing
@testable import SluiceHTTP

/// The listening port belongs to one process: its event loops share it through SO_REUSEPORT, which would
/// also let a second instance of the same user join and take a share of the connections.
struct ServerPortOwnershipTests {
    @Test func aSecondServerOnTheSamePortIsRefused() async throws {
        let first = HTTPServer(configuration: HTTPServerConfiguration(port: 0, threads: 2), responder: echoRouter(), logger: testLogger())
        try first.start()
        let running = Task { try await first.run() }
        let port = first.port

        let second = HTTPServer(configuration: HTTPServerConfiguration(port: port, threads: 2), responder: echoRouter(), logger: testLogger())
        #expect {
            try second.start()
        } throws: { error in
            let failure = error as? HTTPServerError
            return failure?.code == .bindFailed && failure?.errno == EADDRINUSE
                && failure?.message.contains("Another process is listening on 127.0.0.1:\(port)") == true
        }
        // The first one still owns every connection.
        for _ in 0..<8 {
            let status = try await offPool { try RawClient(port: port).roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").status }
            #expect(status == 200)
        }
        await first.shutdown()
        try await running.value

        // Once it is gone, the port is free again (SO_REUSEADDR: its closed connections do not hold it).
        let third = HTTPServer(configuration: HTTPServerConfiguration(port: port, threads: 2), responder: echoRouter(), logger: testLogger())
        try third.start()
        let thirdRunning = Task { try await third.run() }
        #expect(third.port == port)
        await third.shutdown()
        try await thirdRunning.value
    }
}
