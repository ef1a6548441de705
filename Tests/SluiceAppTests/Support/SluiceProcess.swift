import Foundation
import SluiceTestSupport
import Glibc

/// The built `sluice` executable run as a child process, for tests of the real binary
/// (signals, exit codes, kill -9). Its stderr is captured to a file we can poll.
final class SluiceProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched from the test's own task.
    let process = Process()
    let logURL: URL
    private(set) var port = 0

    /// The executable built by `swift build` next to the test bundle.
    static var executable: URL { sluiceExecutable }

    init(arguments: [String], environment: [String: String], directory: URL) throws {
        logURL = directory.appendingPathComponent("sluice-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.executableURL = Self.executable
        process.arguments = arguments
        // Only what the test sets, plus PATH: the developer's SLUICE_* must not leak in, and nothing reaches
        // AWS (an empty HOME, no IMDS, the outbox transport unless the test names another).
        var env = try TestEnvironment.sluiceChild(environment)
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        process.environment = env
        process.currentDirectoryURL = directory
        process.standardError = try FileHandle(forWritingTo: logURL)
        process.standardOutput = FileHandle.nullDevice
        // Dies with the test process, should that crash before deinit kills it.
        try launchTiedToTestProcess(process)
    }

    /// Starts `sluice serve` on an ephemeral port and waits for its "sluice listening" line.
    static func serve(environment: [String: String], directory: URL, timeout: Duration = .seconds(30)) async throws -> SluiceProcess {
        var env = environment
        env["SLUICE_HTTP_PORT"] = env["SLUICE_HTTP_PORT"] ?? "0"
        env["SLUICE_LOG_FORMAT"] = "json"
        let child = try SluiceProcess(arguments: ["serve"], environment: env, directory: directory)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let port = child.listeningPort() {
                child.port = port
                return child
            }
            if !child.process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        child.kill(SIGKILL)
        throw SluiceProcessError(message: "sluice serve did not start; log:\n\(child.log)")
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    private func listeningPort() -> Int? {
        for line in log.split(separator: "\n") where line.contains("\"msg\":\"sluice listening\"") {
            guard let range = line.range(of: "\"http.port\":\"") else { continue }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            return Int(digits)
        }
        return nil
    }

    func kill(_ signal: Int32) {
        Glibc.kill(process.processIdentifier, signal)
    }

    /// Waits for exit and returns the status; nil if still running at the deadline.
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }
}

struct SluiceProcessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A fresh temporary directory removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
