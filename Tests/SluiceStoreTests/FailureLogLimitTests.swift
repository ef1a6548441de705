import Foundation
import SluiceCore
import SluiceTestSupport
@testable import SluiceStore
import Testing

/// The writer's failure logs: loud enough to notice a full disk, never one line per failed commit.
struct FailureLogLimitTests {
    @Test func logsTheFirstThenOnePerIntervalWithTheSuppressedCount() {
        var limit = FailureLogLimit(interval: .seconds(10))
        let start = ContinuousClock.now
        #expect(limit.failed(.commit, at: start) == 0)
        #expect(limit.failed(.commit, at: start + .seconds(1)) == nil)
        #expect(limit.failed(.commit, at: start + .seconds(9)) == nil)
        #expect(limit.failed(.checkpoint, at: start + .seconds(9)) == 0, "each kind has its own limit")
        #expect(limit.failed(.commit, at: start + .seconds(10)) == 2)
        #expect(limit.failed(.begin, at: start + .seconds(11)) == 0)
        #expect(limit.failed(.batchAborted, at: start + .seconds(11)) == 0)
        #expect(limit.committed(at: start + .seconds(11)) == 5, "begin and commit failures, not the batch abort's or the checkpoint's")
        #expect(limit.committed(at: start + .seconds(11)) == nil, "reported once")
        #expect(limit.failed(.checkpoint, at: start + .seconds(12)) == nil, "checkpoint failures stay limited")
    }

    /// One large job hitting a full disk in every group: failures alternate with successes.
    @Test func failuresAlternatingWithSuccessesStayLimited() {
        var limit = FailureLogLimit(interval: .seconds(10))
        let start = ContinuousClock.now
        var logged = 0, resumed = 0
        for second in 0..<30 {
            if limit.failed(.commit, at: start + .seconds(second)) != nil { logged += 1 }
            if limit.committed(at: start + .seconds(second) + .milliseconds(500)) != nil { resumed += 1 }
        }
        #expect(logged == 3, "at 0, 10 and 20 s")
        #expect(resumed == 3)
        // The count carries over to the next report: every failure is in one of them.
        var fresh = FailureLogLimit(interval: .seconds(10))
        _ = fresh.failed(.commit, at: start)
        #expect(fresh.committed(at: start) == 1)
        _ = fresh.failed(.commit, at: start + .seconds(1))
        _ = fresh.failed(.commit, at: start + .seconds(2))
        #expect(fresh.committed(at: start + .seconds(3)) == nil)
        #expect(fresh.committed(at: start + .seconds(10)) == 2)
    }

    @Test func aRunOfFailedCommitsLogsOneErrorThenOneRecoveryLine() async throws {
        let directory = try TemporaryDirectory()
        let (logger, lines) = CapturingLogHandler.logger()
        let store = try directory.openStore(logger: logger)
        defer { store.close() }
        // SQLite's commit hook turns each COMMIT into a rollback (SQLITE_CONSTRAINT_COMMITHOOK).
        store.writer.fault.failCommits.store(true, ordering: .relaxed)
        for index in 0..<20 {
            let error = await #expect(throws: StoreError.self) {
                try await store.ingest(.make(id: "f-\(index)"), events: [.make(.complaint, address: "f\(index)@example.com")], policy: TestPolicy())
            }
            #expect(error != nil)
        }
        store.writer.fault.failCommits.store(false, ordering: .relaxed)
        let failed = lines.named("store.commit_failed")
        #expect(failed.count == 1, "rate-limited: \(failed.count) lines")
        #expect(failed.first?.level == .error)
        #expect(failed.first?.metadata["store.error"]?.contains("constraint") == true, "\(failed.first?.metadata ?? [:])")

        _ = try await store.ingest(.make(id: "ok"), events: [.make(.complaint, address: "ok@example.com")], policy: TestPolicy())
        let resumed = lines.named("store.commits_resumed")
        #expect(resumed.count == 1)
        #expect(resumed.first?.level == .info)
        #expect(resumed.first?.metadata["store.failed_commits"] == "20")
        try await store.checkWritable()
        #expect(lines.named("store.commits_resumed").count == 1, "said once")
    }

    /// A real SQLITE_FULL (the database's page limit) that rolls a group back is logged (at warning: the
    /// culprit fails, the other jobs run again and commit).
    @Test func aFullDatabaseIsLogged() async throws {
        let directory = try TemporaryDirectory()
        try directory.openStore().close()
        let pages = try FileManager.default.attributesOfItem(atPath: directory.databasePath)[.size] as? Int ?? 0
        let (logger, lines) = CapturingLogHandler.logger()
        let store = try directory.openStore(maxPageCount: max(pages / 4096, 1) + 2, logger: logger)
        defer { store.close() }
        let gate = try await WriterTests.WriterGate(store)
        let big = [UInt8](repeating: 0xCD, count: 256 * 1024)
        var tasks: [Task<Void, Never>] = []
        for (index, id) in ["small-1", "big", "small-2"].enumerated() {
            tasks.append(Task {
                _ = try? await store.ingest(.make(id: id, raw: id == "big" ? big : [1]), events: [.make(.hardBounce, address: "\(id)@example.com")], policy: TestPolicy())
            })
            try await WriterTests.WriterGate.waitUntil { store.writer.pendingCount == index + 1 }
        }
        gate.open()
        for task in tasks { await task.value }
        try await gate.task.value
        let aborted = lines.named("store.batch_aborted")
        #expect(aborted.count == 1)
        #expect(aborted.first?.level == .warning)
        #expect(aborted.first?.metadata["store.error"]?.contains("full") == true, "\(aborted.first?.metadata ?? [:])")
    }
}
