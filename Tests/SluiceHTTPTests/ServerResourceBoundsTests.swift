import Foundation
import SluiceTestSupport
import Testing
@testable import SluiceHTTP

#if canImport(Glibc)
import Glibc
#endif

/// Many idle keep-alive connections and a slowloris client do not stop normal traffic; memory per
/// connection stays small and every file descriptor is released afterwards.
@Suite(.serialized)
struct ServerResourceBoundsTests {
    /// A child process (python3) holds the idle connections, so the server alone spends one descriptor
    /// per connection from this process's limit (`ulimit -n`).
    static let holderScript = """
        import socket, sys
        port, n = int(sys.argv[1]), int(sys.argv[2])
        req = b"GET /hello HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"
        def roundtrip(s):
            s.sendall(req)
            data = b""
            while not (b"\\r\\n\\r\\n" in data and data.endswith(b"hello")):
                chunk = s.recv(4096)
                if not chunk:
                    return False
                data += chunk
            return data.startswith(b"HTTP/1.1 200")
        socks = []
        for i in range(n):
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=10)
                if not roundtrip(s):
                    break
            except OSError:
                break
            socks.append(s)
        print("ready", len(socks), flush=True)
        sys.stdin.readline()
        sample = socks[::100]
        ok = sum(1 for s in sample if roundtrip(s))
        print("probed", ok, len(sample), flush=True)
        sys.stdin.readline()
        """

    @Test func idleKeepAliveConnectionsAndSlowlorisDoNotStopNormalTraffic() async throws {
        // Foundation's child-process machinery keeps a run loop (epoll, eventfd, timerfd, a socket pair)
        // once used; start it before counting so only the server's descriptors are compared.
        try await offPool {
            let warmUp = Process()
            warmUp.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            warmUp.arguments = ["true"]
            try warmUp.run()
            warmUp.waitUntilExit()
        }
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let fdsBefore = Self.openDescriptors()
        // Sockets, epoll and eventfd descriptors: what the server owns (pipes to the child are the test's).
        let serverKindsBefore = Self.openDescriptors(serverKinds: true)
        // Aim 10,000; leave room for the test's own sockets, the slowloris and the normal requests.
        let target = max(100, min(10_000, Int(limit.rlim_cur) - fdsBefore - 300))
        let rssBefore = Self.residentKiB()

        try await withServer(echoRouter(), configure: {
            $0.maxConnections = target + 100
            $0.headerReadTimeout = .seconds(1)
            $0.idleTimeout = .seconds(120)
        }) { server in
            let port = server.port
            try await offPool {
                let holder = Process()
                holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                holder.arguments = ["python3", "-c", Self.holderScript, String(port), String(target)]
                let input = Pipe(), output = Pipe()
                holder.standardInput = input
                holder.standardOutput = output
                try holder.run()
                defer {
                    try? input.fileHandleForWriting.close()
                    holder.waitUntilExit()
                }
                let lines = LineReader(output.fileHandleForReading)
                let ready = lines.next() ?? ""
                #expect(ready == "ready \(target)", "the holder could not open every connection: \(ready)")
                #expect(Self.openDescriptors() >= fdsBefore + target, "the server does not hold the idle connections")
                let rssLoaded = Self.residentKiB()

                // A slowloris trickles its head one byte at a time; the head deadline (1 s) cuts it off.
                let slow = try RawClient(port: port)
                try slow.send("GET /hel")
                // Normal traffic meanwhile, on new connections: all answered.
                var answered = 0
                for i in 0..<50 {
                    let client = try RawClient(port: port)
                    if try client.roundTrip("GET /n/\(i) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").bodyText == "n=\(i)" {
                        answered += 1
                    }
                }
                #expect(answered == 50)
                for byte in "lo HTTP/1.1\r\nHost: x\r\n" {
                    guard (try? slow.send(String(byte))) != nil else { break }
                    Thread.sleep(forTimeInterval: 0.05)
                }
                // Only the head deadline answers 408 (an idle timeout closes silently).
                #expect(try slow.readResponse().status == 408)
                #expect(slow.isClosedByPeer())

                // The idle connections are still served (every 100th asked once more).
                try input.fileHandleForWriting.write(contentsOf: Array("probe\n".utf8))
                let probed = (lines.next() ?? "").split(separator: " ")
                #expect(probed.count == 3 && probed[1] == probed[2], "idle connections not served: \(probed)")

                let perConnection = Double(max(0, rssLoaded - rssBefore)) / Double(target)
                print("resource bounds: \(target) idle keep-alive connections; RSS \(rssBefore / 1024) MiB before, "
                    + "\(rssLoaded / 1024) MiB with them (\(String(format: "%.1f", perConnection)) KiB each); "
                    + "fds \(fdsBefore) before")
                // Bounded: a few KiB of buffers per idle connection, never the 16 KiB head limit each.
                #expect(perConnection < 16, "idle connections cost \(perConnection) KiB each")

                try input.fileHandleForWriting.close()
                holder.waitUntilExit()
            }
            // The holder is gone: the server closes its ends (bounded wait); only the listener and the
            // loops' own descriptors remain.
            #expect(await eventually { Self.openDescriptors(serverKinds: true) <= serverKindsBefore + 8 },
                "sockets still open: \(Self.openDescriptors(serverKinds: true)) vs \(serverKindsBefore)")
        }
        #expect(await eventually { Self.openDescriptors(serverKinds: true) <= serverKindsBefore },
            "descriptors leaked after shutdown: \(Self.openDescriptors(serverKinds: true)) vs \(serverKindsBefore)")
    }

    /// Open descriptors of this process; with `serverKinds`, only sockets and anon inodes (epoll, eventfd).
    static func openDescriptors(serverKinds: Bool = false) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return -1 }
        guard serverKinds else { return names.count }
        return names.filter { name in
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + name)) ?? ""
            return target.hasPrefix("socket:") || target.hasPrefix("anon_inode:")
        }.count
    }

    /// VmRSS from /proc/self/status, in KiB.
    static func residentKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}

/// Reads a child's output line by line (blocking; use off the pool).
final class LineReader: @unchecked Sendable {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(_ handle: FileHandle) { self.handle = handle }

    func next() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let data = handle.availableData
            if data.isEmpty { return nil }
            buffer += data
        }
    }
}
