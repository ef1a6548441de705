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

    static func run(_ arguments: [String], environment: [String: String]) async throws -> Result {
        try #require(FileManager.default.isExecutableFile(atPath: path), "build the executable first: swift build")
        return try await offPool { try runBlocking(arguments, environment: environment) }
    }

    private static func runBlocking(_ arguments: [String], environment: [String: String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
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
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
        let text = String(decoding: errors.fileHandleForReading.availableDataUntil("sluice listening", then: "\n"), as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.contains("sluice listening") } ?? ""
        guard let range = line.range(of: #""http.port":""#),
            let port = Int(line[range.upperBound...].prefix { $0.isNumber })
        else {
            process.terminate()
            throw SNSTestError("sluice serve did not report its port: \(text.prefix(500))")
        }
        self.port = port
        // Keep draining stderr so the child never blocks on a full pipe.
        let handle = errors.fileHandleForReading
        Thread.detachNewThread { while !handle.availableData.isEmpty {} }
    }

    /// SIGKILL: no drain, no close, no checkpoint.
    func kill() { Glibc.kill(process.processIdentifier, SIGKILL) }

    func wait() { process.waitUntilExit() }
}

extension FileHandle {
    /// Reads until `marker` (and then `terminator`, if given) has been seen, EOF, or 10 s.
    func availableDataUntil(_ marker: String, then terminator: String? = nil) -> Data {
        var data = Data()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let chunk = availableData
            if chunk.isEmpty { break }
            data.append(chunk)
            let text = String(decoding: data, as: UTF8.self)
            if let range = text.range(of: marker) {
                guard let terminator else { break }
                if text[range.upperBound...].contains(terminator) { break }
            }
        }
        return data
    }
}
