import SluiceTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// Runs the built `sluice` executable (`.build/debug/sluice`, made by `swift build`).
enum SluiceBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var path: String { sluiceExecutable.path }

    /// Runs `sluice` with `environment` (made safe by `TestEnvironment.sluiceChild`) and PATH.
    /// - Throws: when it has not exited within `timeout` (a `serve` that started after all, say).
    static func run(_ arguments: [String], environment: [String: String], timeout: Duration = .seconds(120)) async throws -> Result {
        try #require(FileManager.default.isExecutableFile(atPath: path), "build the executable first: swift build")
        let result = try await runChildProcess(
            URL(fileURLWithPath: path), arguments, environment: try childEnvironment(environment), timeout: timeout)
        return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// `environment` isolated from AWS, with a PATH unless it has one.
    static func childEnvironment(_ environment: [String: String]) throws -> [String: String] {
        try TestEnvironment.sluiceChild(environment).merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
    }
}

/// Shared state of the concurrent clients of the SIGKILL test.
final class KillRun: Sendable {
    let acknowledged = Mutex<[String]>([])
    let killed = Atomic<Bool>(false)
    let next = Atomic<Int>(0)
}

/// `sluice serve` as a child process; its port is read from the `sluice listening` log line.
final class ServeProcess: Sendable {
    private let process: Process
    let port: Int

    init(environment: [String: String]) throws {
        try #require(FileManager.default.isExecutableFile(atPath: SluiceBinary.path), "build the executable first: swift build")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SluiceBinary.path)
        process.arguments = ["serve"]
        process.environment = try SluiceBinary.childEnvironment(environment)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        // Dies with the test process, should that crash before the test kills it.
        try launchTiedToTestProcess(process)
        self.process = process
        let text = String(
            decoding: errors.fileHandleForReading.availableDataUntil("sluice listening", then: "\n", timeout: .seconds(30)), as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.contains("sluice listening") } ?? ""
        guard let range = line.range(of: #""http.port":""#),
            let port = Int(line[range.upperBound...].prefix { $0.isNumber })
        else {
            Glibc.kill(process.processIdentifier, SIGKILL)
            throw SNSTestError("sluice serve did not report its port: \(text.prefix(500))")
        }
        self.port = port
        // Keep draining stderr so the child never blocks on a full pipe.
        let handle = errors.fileHandleForReading
        Thread.detachNewThread { while !handle.availableData.isEmpty {} }
    }

    /// SIGKILL (no drain, no close, no checkpoint), unless it has exited already.
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits until the process has exited; a test issue when it still runs after `timeout`.
    func wait(timeout: Duration = .seconds(30)) {
        if !waitForExit(process, until: .now + timeout) { Issue.record("sluice serve still runs \(timeout) later") }
    }
}

extension FileHandle {
    /// Reads until `marker` (and then `terminator`, if given) has been seen, EOF, or `timeout`: each read
    /// waits in poll(2) for at most what is left, so a silent writer cannot hold the caller past it.
    func availableDataUntil(_ marker: String, then terminator: String? = nil, timeout: Duration = .seconds(10)) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 16384)
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { break }
            var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, pollMilliseconds(remaining))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { break }
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fileDescriptor, $0.baseAddress, $0.count) }
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard count > 0 else { break }
            data.append(contentsOf: buffer[0..<count])
            let text = String(decoding: data, as: UTF8.self)
            if let range = text.range(of: marker) {
                guard let terminator else { break }
                if text[range.upperBound...].contains(terminator) { break }
            }
        }
        return data
    }
}
