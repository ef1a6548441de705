import Foundation
import Glibc
import SluiceTestSupport
import Testing

/// SIGTERM: the request in flight completes, new connections are refused, the process exits 0.
@Suite(.serialized)
struct GracefulShutdownTests {
    @Test func inFlightRequestCompletesNewConnectionsRefusedExitZero() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A DNS "server" that never answers keeps the dns-check request in flight for seconds.
        let blackHole = try UDPBlackHole()
        let sluice = try await SluiceProcess.serve(environment: [
            "SLUICE_DATABASE_PATH": directory.appendingPathComponent("db/sluice.sqlite").path,
            "SLUICE_API_TOKENS": "test-token",
            "SLUICE_DNS_SERVERS": "127.0.0.1:\(blackHole.port)",
            "SLUICE_HTTP_DRAIN_TIMEOUT_SECONDS": "60",
        ], directory: directory)
        let port = sluice.port
        #expect(RawHTTP.request(port: port, "GET", "/readyz")?.status == 200)

        guard case .success(let inFlight) = RawHTTP.connect(port: port) else {
            Issue.record("cannot connect")
            return
        }
        RawHTTP.send(inFlight, "GET /v1/domains/example.com/dns-check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test-token\r\nConnection: close\r\n\r\n")
        let response = Task.detached { RawHTTP.readAll(inFlight) }
        // The check is in flight once its first DNS query has reached the black hole.
        #expect(await offPool { blackHole.waitForQuery(timeout: .seconds(30)) }, "the dns-check never sent a query")

        sluice.kill(SIGTERM)
        // The listeners close promptly; from then on connections are refused.
        var refused = false
        for _ in 0..<100 {
            try await Task.sleep(for: .milliseconds(50))
            switch RawHTTP.connect(port: port) {
            case .failure(let error) where error.code == ECONNREFUSED:
                refused = true
            case .success(let fd):
                close(fd)
            case .failure:
                break
            }
            if refused { break }
        }
        #expect(refused, "new connections were still accepted after SIGTERM")
        #expect(sluice.process.isRunning, "the process must wait for the in-flight request")

        let answer = await response.value
        #expect(answer?.status == 200, "in-flight request did not complete: \(String(describing: answer?.head))")
        let report = try JSONSerialization.jsonObject(with: Data((answer?.body ?? "").utf8)) as? [String: Any]
        #expect(report?["domain"] as? String == "example.com")
        let status = await sluice.waitForExit(timeout: .seconds(30))
        #expect(status == 0, "exit status \(String(describing: status)); log:\n\(sluice.log)")
        #expect(sluice.log.contains("\"msg\":\"draining\""))
        #expect(sluice.log.contains("\"msg\":\"stopped\""))
    }

    @Test func configurationErrorExitsSeventyEight() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let child = try SluiceProcess(arguments: ["serve"], environment: ["SLUICE_HTTP_PORT": "99999"], directory: directory)
        #expect(await child.waitForExit(timeout: .seconds(20)) == 78)
        #expect(child.log.contains("invalid value 99999 for 'http.port'"))
    }

    @Test func usageErrorExitsSixtyFour() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let child = try SluiceProcess(arguments: ["serve", "--no-such-flag"], environment: [:], directory: directory)
        #expect(await child.waitForExit(timeout: .seconds(20)) == 64)
    }

    @Test func migrateCreatesTheDatabaseAndIsIdempotent() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let env = ["SLUICE_DATABASE_PATH": directory.appendingPathComponent("new/dir/s.sqlite").path]
        for _ in 0..<2 {
            let child = try SluiceProcess(arguments: ["migrate", "--check"], environment: env, directory: directory)
            #expect(await child.waitForExit(timeout: .seconds(20)) == 0, "\(child.log)")
        }
        #expect(FileManager.default.fileExists(atPath: env["SLUICE_DATABASE_PATH"]!))
    }
}

/// A bound UDP socket that never reads: queries to it time out.
final class UDPBlackHole: @unchecked Sendable {
    // @unchecked: the descriptor is immutable after init and only closed in deinit.
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: bound.sin_port))
        self.port = port
        guard port > 0 else { throw Errno(errno) }
    }

    /// Whether a datagram is waiting (one was sent here) or arrives within `timeout`; reads nothing.
    func waitForQuery(timeout: Duration) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, pollMilliseconds(timeout)) > 0
    }

    deinit { close(fd) }
}
