import Foundation
import SluiceCore
@testable import SluiceStore
import SluiceTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `sluice backup` and `sluice restore` stopped midway, as the built binary: by a signal, or by a file
/// size limit that makes the copy fail like a full disk. Neither leaves its hidden files behind.
@Suite(.serialized)
struct BackupInterruptionTests {
    private let temporary: TestDirectory
    private var directory: URL { temporary.url }
    private var database: String { directory.appendingPathComponent("data/sluice.sqlite").path }

    init() throws {
        temporary = try TestDirectory(prefix: "sluice-backup-stop")
    }

    private var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLUICE_") }
        environment["SLUICE_DATABASE_PATH"] = database
        environment["SLUICE_LOG_LEVEL"] = "error"
        return environment
    }

    private func sluice(_ arguments: [String]) async throws -> ChildProcessResult {
        try await runChildProcess(sluiceExecutable, arguments, environment: environment)
    }

    /// Hidden files a backup or a restore makes beside its target.
    private func hiddenFiles(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".partial-") }
    }

    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
    func aSignalledBackupRemovesItsPartialFilesAndExits(signal: Int32, status: Int32) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: sluiceExecutable.path), "build the sluice product first")
        #expect(try await sluice(["migrate"]).status == 0)
        // ~64 MB that does not compress, so the copy and its check take long enough to be interrupted.
        do {
            let padding = try Database(path: database, readOnly: false, busyTimeoutMilliseconds: 1000)
            try padding.execute("CREATE TABLE padding (b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 64) INSERT INTO padding SELECT randomblob(1000000) FROM n")
        }
        let target = directory.appendingPathComponent("nightly.sqlite").path
        let process = Process()
        process.executableURL = sluiceExecutable
        process.arguments = ["backup", target]
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var started = false
        for _ in 0..<10_000 where process.isRunning {
            if try !hiddenFiles(in: directory).isEmpty {
                started = true
                break
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(started, "the backup made its partial file")
        kill(process.processIdentifier, signal)
        await offPool { process.waitUntilExit() }
        // Handled (never killed by it), and nothing hidden is left either way.
        #expect(process.terminationReason == .exit)
        #expect(try hiddenFiles(in: directory).isEmpty)
        if process.terminationStatus == 0 {
            // On a loaded machine the copy can finish before the signal's handler gets a thread: then the
            // backup is whole (exit 0 promises that), never half.
            let check = try SQLiteFileCheck.inspect(target, integrity: true)
            #expect(check.problems?.isEmpty ?? true)
        } else {
            #expect(process.terminationStatus == status)
            #expect(!FileManager.default.fileExists(atPath: target))
        }
    }

    /// A copy that fails after creating its file (here: RLIMIT_FSIZE, with SIGXFSZ ignored, so writes fail
    /// with EFBIG as on a full disk) leaves no hidden `.NAME.partial-…` copy and the database as it was.
    @Test func aRestoreWhoseCopyFailsLeavesNoHiddenFile() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: sluiceExecutable.path), "build the sluice product first")
        #expect(try await sluice(["migrate"]).status == 0)
        let backup = directory.appendingPathComponent("nightly.sqlite").path
        #expect(try await sluice(["backup", backup]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: database))

        // dash counts ulimit -f in 512-byte blocks: 4 KiB, less than any Sluice database.
        let limited = try await runChildProcess(
            URL(fileURLWithPath: "/bin/sh"),
            ["-c", #"trap '' XFSZ; ulimit -f 8; exec "$0" "$@""#, sluiceExecutable.path, "restore", backup],
            environment: environment)
        #expect(limited.status == 1, "\(limited.stderr)")
        #expect(limited.stderr.contains("cannot copy"), "\(limited.stderr)")
        #expect(try hiddenFiles(in: URL(fileURLWithPath: database).deletingLastPathComponent()).isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before)
    }
}
