import Foundation
import Glibc
import Synchronization

/// What a finished child process printed and returned.
public struct ChildProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs an executable to completion off the cooperative pool, capturing its output.
/// - Throws: `TestSupportError` when it has not finished within `timeout` (it is SIGKILLed first).
public func runChildProcess(
    _ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
    directory: URL? = nil, stdin: Data? = nil, timeout: Duration = .seconds(120)
) async throws -> ChildProcessResult {
    try await offPool {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try launchTiedToTestProcess(process)
        if let stdin {
            // On its own thread: a child that writes a lot before reading cannot deadlock the two of us.
            let writer = input.fileHandleForWriting
            Thread.detachNewThread {
                try? writer.write(contentsOf: stdin)
                try? writer.close()
            }
        }
        let deadline = ContinuousClock.now + timeout
        let (stdoutData, stderrData, complete) = readToEOF(out.fileHandleForReading, err.fileHandleForReading, until: deadline)
        guard complete, waitForExit(process, until: deadline) else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw TestSupportError(
                "\(executable.lastPathComponent) \(arguments.prefix(3).joined(separator: " ")) did not finish within \(timeout); "
                    + "stderr so far: \(String(decoding: stderrData, as: UTF8.self).suffix(2000))")
        }
        return ChildProcessResult(
            status: process.terminationStatus,
            stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self)
        )
    }
}

/// Starts `process` so that the kernel SIGKILLs it when the test process dies, even by a crash or SIGKILL
/// where no deinit or atexit handler runs: `setpriv --pdeathsig KILL` (util-linux) sets the parent-death
/// signal, then execs the real executable, so `processIdentifier` and signals still reach it directly.
///
/// The kernel sends that signal when the *thread* that forked the child exits, not the process: the
/// spawn runs on one thread that lives as long as the test process.
public func launchTiedToTestProcess(_ process: Process) throws {
    let setpriv = "/usr/bin/setpriv"
    if let executable = process.executableURL, FileManager.default.isExecutableFile(atPath: setpriv) {
        process.arguments = ["--pdeathsig", "KILL", "--", executable.path] + (process.arguments ?? [])
        process.executableURL = URL(fileURLWithPath: setpriv)
    }
    try SpawnThread.shared.run { try process.run() }
}

/// Reads two pipes until both reach EOF or `deadline` passes (poll(2), so a silent child cannot hold the
/// caller past it); `complete` is false at the deadline. Blocking: call it off the cooperative pool.
public func readToEOF(
    _ first: FileHandle, _ second: FileHandle, until deadline: ContinuousClock.Instant
) -> (first: Data, second: Data, complete: Bool) {
    var data = [Data(), Data()]
    var open = [true, true]
    let descriptors = [first.fileDescriptor, second.fileDescriptor]
    var buffer = [UInt8](repeating: 0, count: 65536)
    while open.contains(true) {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { return (data[0], data[1], false) }
        var polled = (0..<2).map { pollfd(fd: open[$0] ? descriptors[$0] : -1, events: Int16(POLLIN), revents: 0) }
        let ready = poll(&polled, 2, pollMilliseconds(remaining))
        if ready < 0 && errno != EINTR { break }
        for index in 0..<2 where open[index] && polled[index].revents != 0 {
            let count = buffer.withUnsafeMutableBytes { read(descriptors[index], $0.baseAddress, $0.count) }
            if count > 0 {
                data[index].append(contentsOf: buffer[0..<count])
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                open[index] = false
            }
        }
    }
    return (data[0], data[1], true)
}

/// Waits (polling, bounded) until `process` has exited; false when it still runs at `deadline`.
public func waitForExit(_ process: Process, until deadline: ContinuousClock.Instant) -> Bool {
    while process.isRunning {
        if ContinuousClock.now >= deadline { return false }
        usleep(5_000)
    }
    return true
}

/// `duration` as whole milliseconds for poll(2), at least 1 and at most a day.
public func pollMilliseconds(_ duration: Duration) -> Int32 {
    let (seconds, attoseconds) = duration.components
    return Int32(clamping: max(1, min(86_400_000, seconds * 1000 + attoseconds / 1_000_000_000_000_000)))
}

/// The repository root (the folder holding Package.swift), found from this file's path.
public var repositoryRoot: URL {
    var url = URL(fileURLWithPath: #filePath)
    while url.lastPathComponent != "Tests" { url.deleteLastPathComponent() }
    return url.deletingLastPathComponent()
}

/// The `sluice` executable that `swift build` put next to the tests.
public var sluiceExecutable: URL {
    for candidate in [".build/debug/sluice", ".build/x86_64-unknown-linux-gnu/debug/sluice", ".build/aarch64-unknown-linux-gnu/debug/sluice"] {
        let url = repositoryRoot.appendingPathComponent(candidate)
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return repositoryRoot.appendingPathComponent(".build/debug/sluice")
}

/// One thread for the life of the test process that runs the spawns handed to it, one at a time.
private final class SpawnThread: Sendable {
    static let shared = SpawnThread()

    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let pending = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in
            while true {
                pending.wait()
                jobs.withLock { $0.removeFirst() }()
            }
        }
        thread.name = "test.spawn"
        thread.start()
    }

    /// Runs `body` on the spawn thread and waits for it (a spawn takes milliseconds).
    func run(_ body: @escaping @Sendable () throws -> Void) throws {
        let outcome = Outcome()
        jobs.withLock {
            $0.append {
                outcome.result.withLock { $0 = Result { try body() } }
                outcome.done.signal()
            }
        }
        pending.signal()
        outcome.done.wait()
        try outcome.result.withLock { $0 ?? .success(()) }.get()
    }

    private final class Outcome: Sendable {
        let result = Mutex<Result<Void, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
    }
}
