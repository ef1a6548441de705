import Foundation
import SluiceTestSupport
import Testing
@testable import SluiceHTTP

#if canImport(Glibc)
import Glibc
#endif

/// Connections spread evenly over the event loops (`ConnectionBalancer`), whichever SO_REUSEPORT listener
/// the kernel hands them to.
struct ServerBalancingTests {
    /// Answers with the id of the thread that ran it: synchronous routes run inline on the loop that owns
    /// the connection.
    private static func threadRouter() -> Router {
        var router = Router()
        router.addSync(.GET, "/thread") { _ in .text(String(UInt(pthread_self()))) }
        return router
    }

    /// The loop thread that serves each client, by a request on it.
    private static func servingThreads(_ clients: [RawClient]) throws -> [String] {
        try clients.map { client in
            let response = try client.roundTrip("GET /thread HTTP/1.1\r\nHost: x\r\n\r\n")
            guard response.status == 200 else { throw RawClientError(description: "status \(response.status)") }
            return response.bodyText
        }
    }

    /// Waits (bounded) until the server counts `expected` open connections.
    private static func waitForConnections(_ server: HTTPServer, _ expected: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while server.connectionCount != expected, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(server.connectionCount == expected)
    }

    @Test func connectionsSplitEvenlyOverTheLoops() async throws {
        try await withServer(Self.threadRouter(), configure: { $0.threads = 2 }) { server in
            let port = server.port
            // A hash split of 64 connections is exactly even about one time in ten.
            let clients = try await offPool { try (0..<64).map { _ in try RawClient(port: port) } }
            let threads = try await offPool { try Self.servingThreads(clients) }
            let perThread = Dictionary(grouping: threads, by: { $0 }).mapValues(\.count)
            #expect(perThread.count == 2)
            #expect(perThread.values.sorted() == [32, 32])
            #expect(server.connectionsPerLoop == [32, 32])
            withExtendedLifetime(clients) {}
        }
    }

    @Test func aLoopThatLostItsConnectionsTakesTheNextOnes() async throws {
        try await withServer(Self.threadRouter(), configure: { $0.threads = 2 }) { server in
            let port = server.port
            let (kept, emptied) = try await offPool { () throws -> ([RawClient], String) in
                let clients = try (0..<20).map { _ in try RawClient(port: port) }
                let threads = try Self.servingThreads(clients)
                // Close every connection of one loop; the other keeps its ten.
                let emptied = threads[0]
                return (zip(clients, threads).filter { $0.1 != emptied }.map(\.0), emptied)
            }
            #expect(kept.count == 10)
            try await Self.waitForConnections(server, 10)
            #expect(server.connectionsPerLoop.sorted() == [0, 10])
            let newcomers = try await offPool { try (0..<10).map { _ in try RawClient(port: port) } }
            let next = try await offPool { try Self.servingThreads(newcomers) }
            #expect(next == Array(repeating: emptied, count: 10))
            #expect(server.connectionsPerLoop == [10, 10])
            withExtendedLifetime((kept, newcomers)) {}
        }
    }

    @Test func oneLoopKeepsEverything() async throws {
        try await withServer(Self.threadRouter(), configure: { $0.threads = 1 }) { server in
            let port = server.port
            let clients = try await offPool { try (0..<8).map { _ in try RawClient(port: port) } }
            let threads = try await offPool { try Self.servingThreads(clients) }
            #expect(Set(threads).count == 1)
            #expect(server.connectionsPerLoop == [8])
            withExtendedLifetime(clients) {}
        }
    }
}
