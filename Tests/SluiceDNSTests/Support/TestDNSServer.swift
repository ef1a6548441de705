import Foundation
import SluiceTestSupport
import Logging
import Synchronization
import Testing

@testable import SluiceDNS

/// Support/dns_server.py (PyPI dnslib) serving Support/zones.zone on 127.0.0.1, UDP and TCP.
/// Special suffixes: tcp.test truncated over UDP, silent.slow.test never answered,
/// servfail.slow.test SERVFAIL, spoof.slow.test preceded by a forged wrong-ID answer,
/// old.slow.test FORMERR to queries with EDNS, cut.slow.test truncated over UDP inside its record,
/// referral.slow.test a referral, norecursion.slow.test an empty answer without RA.
// @unchecked Sendable: `process` and `stdin` are set in init and only `stop()` touches them after,
// once, from the suite scope that owns the server.
final class TestDNSServer: @unchecked Sendable {
    let port: UInt16
    private let process: Process
    private let stdin: Pipe

    static let supportDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    private init(port: UInt16, process: Process, stdin: Pipe) {
        self.port = port
        self.process = process
        self.stdin = stdin
    }

    /// The server list as the app passes it (`SLUICE_DNS_SERVERS` form).
    var serverList: String { "127.0.0.1:\(port)" }

    /// The special suffixes above, as dns_server.py options.
    static let misbehaviours = [
        "--truncate", "tcp.test", "--silent", "silent.slow.test", "--servfail", "servfail.slow.test",
        "--spoof", "spoof.slow.test", "--no-edns", "old.slow.test", "--cut", "cut.slow.test",
        "--referral", "referral.slow.test", "--no-recursion", "norecursion.slow.test",
    ]

    /// Starts the server and waits (at most 20 s) for its "READY <port>" line.
    /// - Parameter misbehaviours: dns_server.py options for special names; [] serves the zone plainly.
    /// - Throws: with install instructions when python3 or dnslib is missing.
    static func start(misbehaviours: [String] = misbehaviours) throws -> TestDNSServer {
        let script = supportDirectory.appendingPathComponent("dns_server.py").path
        let zone = supportDirectory.appendingPathComponent("zones.zone").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["python3", script, "--zone", zone, "--port", "0", "--exit-on-stdin-eof", "--lifetime", "300"] + misbehaviours
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        do {
            try process.run()
        } catch {
            throw SetupError("cannot run /usr/bin/env python3 (\(error)); the SluiceDNS tests need python3 with the PyPI package dnslib (pip install dnslib)")
        }
        guard let line = stdout.fileHandleForReading.firstLine(within: 20), line.hasPrefix("READY "),
            let port = UInt16(line.dropFirst("READY ".count))
        else {
            process.terminate()
            let message = String(decoding: stderr.fileHandleForReading.availableDataIfExited(process), as: UTF8.self)
            throw SetupError(
                "test DNS server did not start: the SluiceDNS tests need python3 with the PyPI package dnslib (pip install dnslib). Server stderr: \(message)"
            )
        }
        return TestDNSServer(port: port, process: process, stdin: stdin)
    }

    /// Stops the server and reaps it.
    func stop() {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// A resolver pointed at this server only.
    func resolver(timeout: Double = 2, attempts: Int = 2, useTCPFallback: Bool = true) throws -> DNSResolver {
        let configuration = DNSResolverConfiguration(
            servers: try DNSServerAddress.parseList(serverList), timeout: timeout, attempts: attempts,
            useTCPFallback: useTCPFallback)
        return try DNSResolver(configuration: configuration, logger: Logger(label: "test.dns"))
    }

    /// The server of the enclosing `.dnsServer` suite.
    @TaskLocal static var current: TestDNSServer?

    /// The suite's server; fails the test if the suite lacks the `.dnsServer` trait.
    static func shared() throws -> TestDNSServer {
        guard let current else { throw SetupError("the suite needs the .dnsServer trait") }
        return current
    }
}

/// Starts one test DNS server around a whole suite and stops it when the suite ends.
struct DNSServerTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // Starting and reaping the Python server block (seconds under load): keep that off the pool.
        let server = try await offPool { try TestDNSServer.start() }
        do {
            try await TestDNSServer.$current.withValue(server) { try await function() }
        } catch {
            await offPool { server.stop() }
            throw error
        }
        await offPool { server.stop() }
    }
}

extension Trait where Self == DNSServerTrait {
    /// Runs the suite with `TestDNSServer.shared()` available.
    static var dnsServer: Self { DNSServerTrait() }
}

/// A test environment problem (missing tool), reported as a failure with instructions.
struct SetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension FileHandle {
    /// Whatever the process wrote, once it has exited (bounded wait); empty if it is still running.
    fileprivate func availableDataIfExited(_ process: Process) -> Data {
        for _ in 0..<50 where process.isRunning { usleep(20_000) }
        return process.isRunning ? Data() : readDataToEndOfFile()
    }
}
