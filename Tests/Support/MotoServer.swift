import Foundation
import Glibc
import SluiceHTTP

/// A `python3 -m moto.server` subprocess on 127.0.0.1 (needs PyPI `moto[server]`; CI installs it).
///
/// One instance is shared by all tests (`shared()`): moto takes seconds to import. A watcher thread in the
/// Python process exits it when its parent (the test process) goes away, so no server outlives the run.
public final class MotoServer: @unchecked Sendable {
    // @unchecked: `process` is set once in init and only read afterwards (terminate/wait are thread-safe).
    public let port: Int
    private let process: Process

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private static let holder = Holder()

    /// The shared server, started on first use.
    public static func shared() async throws -> MotoServer { try await holder.server() }

    private actor Holder {
        private var task: Task<MotoServer, any Error>?
        func server() async throws -> MotoServer {
            if let task { return try await task.value }
            let started = Task { try await MotoServer.start() }
            task = started
            return try await started.value
        }
    }

    /// Python run by the subprocess: a parent watcher, then `moto.server` as `__main__`.
    static let launcher = """
        import os, sys, threading, time, runpy
        parent = os.getppid()
        def watch():
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
        sys.argv = ["moto.server", "-H", "127.0.0.1", "-p", sys.argv[1]]
        runpy.run_module("moto.server", run_name="__main__", alter_sys=True)
        """

    /// Starts moto on a free port and waits (60 s at most in all: imports are slow on a busy machine) until it answers.
    /// - Throws: a clear error when moto is not installed or does not come up.
    public static func start() async throws -> MotoServer {
        guard run(["python3", "-c", "import moto.server, flask, flask_cors"]) == 0 else {
            throw TestSupportError("moto[server] is not installed: run `pip install 'moto[server]'` (or Scripts/moto-server)")
        }
        let server = try MotoServer(port: freePort())
        let client = try HTTPClient(configuration: HTTPClientConfiguration(
            connectTimeout: .milliseconds(200), readTimeout: .seconds(2), totalTimeout: .seconds(3),
            maxIdleConnectionsPerHost: 0))
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let response = try? await client.execute(HTTPClientRequest(url: server.baseURL + "/moto-api/data.json")),
                response.status == 200
            {
                return server
            }
            guard server.process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        throw TestSupportError("moto server did not start on port \(server.port)")
    }

    private init(port: Int) throws {
        self.port = port
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.launcher, String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit { stop() }

    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// The JSON of `GET /moto-api/data.json` (every tracked model instance, incl. `ses.Message` / `ses.RawMessage`).
    public func modelData() async throws -> [String: Any] {
        let client = try HTTPClient(configuration: HTTPClientConfiguration(maxIdleConnectionsPerHost: 0))
        let response = try await client.execute(HTTPClientRequest(url: baseURL + "/moto-api/data.json"))
        guard let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw TestSupportError("moto data.json is not an object")
        }
        return object
    }

    private static func run(_ arguments: [String]) -> Int32 {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = arguments
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do { try probe.run() } catch { return -1 }
        probe.waitUntilExit()
        return probe.terminationStatus
    }

    /// A port the kernel just handed out (bind to 0, read it back, close).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw TestSupportError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
