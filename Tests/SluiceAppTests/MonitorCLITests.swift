import Foundation
import Testing
import SluiceTestSupport
import SluiceCore
@testable import SluiceApp

/// `sluice stats|alerts|sending` run as the built binary against a database the test filled.
struct MonitorCLITests {
    static var binary: URL { sluiceExecutable }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], database: String) async throws -> Run {
        let result = try await runChildProcess(binary, arguments, environment: [
            "SLUICE_DATABASE_PATH": database, "SLUICE_LOG_LEVEL": "error", "PATH": "/usr/bin:/bin",
        ])
        return Run(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// A database with this hour's traffic and one evaluation's alert state.
    static func prepare(_ dir: MonitorTempDirectory) async throws {
        let now = Date()
        let app = try MonitorFixture.app(
            try MonitorFixture.configuration(databasePath: dir.databasePath, protection: "off"), clock: TestClock(now)
        )
        // One hour back, so the counters are in the past whenever the CLI runs.
        try await MonitorFixture.seed(app.context, at: now.addingTimeInterval(-3600), sends: 200, hardBounces: 10, deliveries: 150)
        try await MonitorWorker(context: app.context, sinks: []).evaluateOnce(now: now)
        await app.shutdown()
    }

    @Test func statsPrintsTheTableAndTheJSON() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the sluice binary first")
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        try await Self.prepare(dir)

        let table = try await Self.run(["stats"], database: dir.databasePath)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("SCOPE") == true)
        let day = try #require(lines.first { $0.hasPrefix("overall") && $0.contains(" 24h ") })
        #expect(day.contains(" 200 ") && day.contains("5%"))
        #expect(table.stdout.contains("paused: no"))

        let json = try await Self.run(["stats", "--json"], database: dir.databasePath)
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let windows = try #require(object["windows"] as? [[String: Any]])
        #expect(windows.first?["sends"] as? Int == 200)
        #expect(windows.first?["hard_bounces"] as? Int == 10)
        #expect(object["minimum_volume"] as? Int == 100)
    }

    @Test func alertsShowsWhatTheMonitorSaved() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the sluice binary first")
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        try await Self.prepare(dir)

        let text = try await Self.run(["alerts"], database: dir.databasePath)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("open alerts (1):") || text.stdout.contains("CRITICAL  bounce_rate"))
        #expect(text.stdout.contains("bounce_rate"))
        #expect(text.stdout.contains("recent notifications (newest first):"))

        let json = try await Self.run(["alerts", "--json"], database: dir.databasePath)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let open = try #require(object["open"] as? [[String: Any]])
        #expect(open.contains { $0["rule"] as? String == "bounce_rate" && $0["severity"] as? String == "critical" })
    }

    @Test func sendingPauseStatusResume() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the sluice binary first")
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }

        // Only serve and migrate create the database: a pause on a mistyped path would be seen by no service.
        let nowhere = try await Self.run(["sending", "pause"], database: dir.databasePath)
        #expect(nowhere.status == 1)
        #expect(nowhere.stderr.contains("no database at '\(dir.databasePath)'"), "\(nowhere.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.databasePath))
        #expect(try await Self.run(["migrate"], database: dir.databasePath).status == 0)

        let paused = try await Self.run(["sending", "pause", "--reason", "warming up a new IP"], database: dir.databasePath)
        #expect(paused.status == 0, "\(paused.stderr)")
        #expect(paused.stdout.hasPrefix("paused: yes (by operator) - warming up a new IP"))

        let status = try await Self.run(["sending", "status", "--json"], database: dir.databasePath)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(object["paused"] as? Bool == true)
        #expect(object["source"] as? String == "operator")
        #expect(object["reason"] as? String == "warming up a new IP")

        // The service sees the CLI's pause in the same database.
        let app = try MonitorFixture.app(try MonitorFixture.configuration(databasePath: dir.databasePath), clock: TestClock(Date()))
        #expect(try await app.context.sending.state().paused)
        await app.shutdown()

        let resumed = try await Self.run(["sending", "resume"], database: dir.databasePath)
        #expect(resumed.status == 0)
        #expect(resumed.stdout == "paused: no\n")
        #expect(try await Self.run(["sending", "status"], database: dir.databasePath).stdout == "paused: no\n")

        let empty = try await Self.run(["sending", "pause", "--reason", "  "], database: dir.databasePath)
        #expect(empty.status == 64)
    }
}
