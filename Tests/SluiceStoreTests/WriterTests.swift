import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// Group commit, fault isolation and durability of the single writer.
struct WriterTests {
    /// Holds the writer thread inside a job until `open()`, so the jobs queued meanwhile form one batch.
    final class WriterGate: Sendable {
        let semaphore = DispatchSemaphore(value: 0)
        let task: Task<Void, any Error>

        init(_ store: SQLiteStore) async throws {
            let before = store.writerStatistics.jobs
            let semaphore = self.semaphore
            task = Task { try await store.writer.submit { _ in semaphore.wait() } }
            try await Self.waitUntil { store.writerStatistics.jobs > before && store.writer.pendingCount == 0 }
        }

        func open() { semaphore.signal() }

        /// Polls `condition` (bounded: about 10 s).
        static func waitUntil(_ condition: () -> Bool) async throws {
            for _ in 0..<10_000 {
                if condition() { return }
                try await Task.sleep(for: .milliseconds(1))
            }
            Issue.record("condition not reached")
        }
    }

    /// The writer thread carries its name from its first job on (perf, `top -H`, bench-sns's per-thread
    /// CPU). Several fresh stores: Foundation's `Thread.current.name` missed now and then (1 of 36 starts).
    @Test func writerThreadIsNamedFromItsFirstJob() async throws {
        for _ in 0..<12 {
            let directory = try TemporaryDirectory()
            let store = try directory.openStore()
            let name = try await store.writer.submit { _ in
                (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            }
            store.close()
            #expect(name == "sluice.writer")
        }
    }

    @Test func concurrentIngestsShareOneCommit() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        let gate = try await WriterGate(store)
        let before = store.writerStatistics
        let jobs = 200
        let ingests = Task {
            try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
                for index in 0..<jobs {
                    group.addTask {
                        try await store.ingest(.make(id: "m-\(index)"), events: [.make(.hardBounce, address: "u\(index)@example.com")], policy: TestPolicy())
                    }
                }
                return try await group.reduce(into: [IngestOutcome]()) { $0.append($1) }
            }
        }
        try await WriterGate.waitUntil { store.writer.pendingCount == jobs }
        gate.open()
        let outcomes = try await ingests.value
        try await gate.task.value
        #expect(outcomes.count == jobs)
        #expect(outcomes.allSatisfy { $0 == .stored(events: 1) })
        let after = store.writerStatistics
        #expect(after.commits - before.commits == 2)  // the gate's batch, then all 200 in one
        #expect(after.largestBatch >= jobs)
        #expect(try await store.counts(byReason: referenceDate)[.hardBounce] == jobs)
    }

    @Test func importChunkGetsATransactionOfItsOwnBetweenGroupedJobs() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        // Background merge steps of the staged chunk (schema v6) would add commits of their own.
        store.setBackgroundMerge(enabled: false)
        let gate = try await WriterGate(store)
        let before = store.writerStatistics
        // Queued in this order while the writer is held: 2 small jobs, an import chunk, 2 small jobs.
        let first = Task { for index in 0..<2 { try await store.putManual(.make(address: "a\(index)@example.com")) } }
        try await WriterGate.waitUntil { store.writer.pendingCount == 1 }
        let small = (0..<2).map { index in Task { try await store.putManual(.make(address: "b\(index)@example.com")) } }
        try await WriterGate.waitUntil { store.writer.pendingCount == 3 }
        let chunk = Task { try await store.importBatch((0..<100).map { .make(address: "c\($0)@example.com", reason: .complaint) }) }
        try await WriterGate.waitUntil { store.writer.pendingCount == 4 }
        let late = Task { try await store.putManual(.make(address: "d@example.com")) }
        try await WriterGate.waitUntil { store.writer.pendingCount == 5 }
        gate.open()
        try await gate.task.value
        for task in small { try await task.value }
        #expect(try await chunk.value == 100)
        try await late.value
        try await first.value
        let after = store.writerStatistics
        // gate | a0 b0 b1 | chunk | d | a1: the chunk never shares a transaction. (a1 may join d's
        // transaction while a sync runs.)
        #expect((4...5).contains(after.commits - before.commits))
        #expect(after.failedJobs == before.failedJobs)
        let counts = try await store.counts(byReason: referenceDate)
        #expect(counts[.complaint] == 100)
        #expect(counts[.hardBounce] == 5)
    }

    @Test func ungatedConcurrentIngestsAllCommit() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        let before = store.writerStatistics
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    // Two identities and two hours, so each transaction's counter buffer holds several rows.
                    let event = RecipientEvent.make(
                        .delivery, address: "u\(index)@example.com", at: referenceDate.addingTimeInterval(Double(index % 2) * 3600),
                        identity: index % 4 < 2 ? "example.com" : "example.org")
                    _ = try await store.ingest(.make(id: "m-\(index)"), events: [event], policy: TestPolicy())
                }
            }
            try await group.waitForAll()
        }
        let after = store.writerStatistics
        #expect(after.jobs - before.jobs == 200)
        #expect(after.commits - before.commits <= 200)
        for index in [0, 99, 199] { #expect(try await store.hasMessage(id: "m-\(index)")) }
        // Every event counted once, whatever transactions they shared.
        let counters = try await store.hourlyCounters(from: .distantPast, to: .distantFuture)
        #expect(counters.count == 4)
        #expect(counters.allSatisfy { $0.kind == .delivery && $0.count == 50 })
    }

    @Test func failingJobRollsBackOnlyItself() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        let gate = try await WriterGate(store)
        let before = store.writerStatistics
        let results = Task {
            await withTaskGroup(of: (String, Result<IngestOutcome, StoreError>).self) { group in
                for id in ["good-1", "poison", "good-2"] {
                    // The poison message counts one event (in the transaction's counter buffer) before it fails.
                    let events: [RecipientEvent] = id == "poison"
                        ? [.make(.hardBounce, address: "counted@example.com"), .make(.hardBounce, address: TestPolicy.poisonAddress)]
                        : [.make(.hardBounce, address: "\(id)@example.com")]
                    group.addTask {
                        do throws(StoreError) {
                            return (id, .success(try await store.ingest(.make(id: id), events: events, policy: TestPolicy())))
                        } catch {
                            return (id, .failure(error))
                        }
                    }
                }
                return await group.reduce(into: [String: Result<IngestOutcome, StoreError>]()) { $0[$1.0] = $1.1 }
            }
        }
        try await WriterGate.waitUntil { store.writer.pendingCount == 3 }
        gate.open()
        let outcomes = await results.value
        try await gate.task.value
        #expect(try outcomes["good-1"]?.get() == .stored(events: 1))
        #expect(try outcomes["good-2"]?.get() == .stored(events: 1))
        guard case .failure(let error) = outcomes["poison"] else {
            Issue.record("poison job did not fail")
            return
        }
        #expect(error.code == .invalidInput)
        // Its message row was inserted before the failure and rolled back with its savepoint.
        #expect(try await store.hasMessage(id: "poison") == false)
        #expect(try await store.history(address: TestPolicy.poisonAddress, limit: 5).isEmpty)
        #expect(try await store.history(address: "counted@example.com", limit: 5).isEmpty)
        #expect(try await store.hasMessage(id: "good-1"))
        // Only the two good messages are counted: the poison job's count went with its savepoint.
        let counters = try await store.hourlyCounters(from: .distantPast, to: .distantFuture)
        #expect(counters.map(\.count) == [2])
        #expect(counters.first?.kind == .hardBounce)
        // So did the suppression count of the row it merged before failing (`SuppressionCountBuffer`).
        #expect(try await store.counts(byReason: referenceDate)[.hardBounce] == 2)
        let after = store.writerStatistics
        #expect(after.commits - before.commits == 2)
        #expect(after.failedJobs - before.failedJobs == 1)
        // The group ran without savepoints first; the failure rolled it back and it ran again with them.
        #expect(after.retriedGroups - before.retriedGroups == 1)
    }

    @Test func commitFailureLeavesNothingWritten() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        let gate = try await WriterGate(store)
        store.writer.fault.failCommits.store(true, ordering: .relaxed)
        let ids = (0..<5).map { "c-\($0)" }
        let results = Task {
            await withTaskGroup(of: StoreError?.self) { group in
                for id in ids {
                    group.addTask {
                        do throws(StoreError) {
                            _ = try await store.ingest(.make(id: id), events: [.make(.complaint, address: "\(id)@example.com")], policy: TestPolicy())
                            return nil
                        } catch {
                            return error
                        }
                    }
                }
                return await group.reduce(into: [StoreError?]()) { $0.append($1) }
            }
        }
        try await WriterGate.waitUntil { store.writer.pendingCount == ids.count }
        gate.open()
        let errors = await results.value
        _ = await gate.task.result
        store.writer.fault.failCommits.store(false, ordering: .relaxed)

        #expect(errors.count == ids.count)
        #expect(errors.allSatisfy { $0?.code == .constraint })
        for id in ids {
            #expect(try await store.hasMessage(id: id) == false)
            #expect(try await store.suppression(for: "\(id)@example.com", scope: nil, at: referenceDate) == nil)
        }
        #expect(try await store.hourlyCounters(from: .distantPast, to: .distantFuture).isEmpty)
        #expect(try await store.counts(byReason: referenceDate)[.complaint] == 0)
        // Nothing was half-written, so the same messages are not duplicates now.
        for id in ids {
            #expect(try await store.ingest(.make(id: id), events: [.make(.complaint, address: "\(id)@example.com")], policy: TestPolicy()) == .stored(events: 1))
        }
        #expect(try await store.counts(byReason: referenceDate)[.complaint] == ids.count)
    }

    @Test func fullDatabaseAnswersFullAndKeepsWorking() async throws {
        let directory = try TemporaryDirectory()
        try directory.openStore().close()
        let pages = try FileManager.default.attributesOfItem(atPath: directory.databasePath)[.size] as? Int ?? 0
        // Cap at the current size (plus the WAL's worth of slack SQLite counts as in use).
        let store = try directory.openStore(maxPageCount: max(pages / 4096, 1) + 2)
        defer { store.close() }
        let big = [UInt8](repeating: 0xAB, count: 256 * 1024)
        let error = await #expect(throws: StoreError.self) {
            try await store.ingest(.make(id: "big", raw: big), events: [.make(.hardBounce)], policy: TestPolicy())
        }
        #expect(error?.code == .full)
        #expect(error?.isTransient == true)
        #expect(try await store.hasMessage(id: "big") == false)
        #expect(try await store.suppression(for: "user@example.com", scope: nil, at: referenceDate) == nil)
        try await store.checkWritable()  // small writes still fit
    }

    @Test func fullJobInABatchFailsAloneAndTheOthersCommit() async throws {
        let directory = try TemporaryDirectory()
        try directory.openStore().close()
        let pages = try FileManager.default.attributesOfItem(atPath: directory.databasePath)[.size] as? Int ?? 0
        let store = try directory.openStore(maxPageCount: max(pages / 4096, 1) + 2)
        defer { store.close() }
        let gate = try await WriterGate(store)
        let big = [UInt8](repeating: 0xCD, count: 256 * 1024)
        // Queued in this order, so "small-1" is applied before "big" makes SQLite roll the whole
        // transaction back: the writer must re-run "small-1" in a fresh transaction.
        var tasks: [(String, Task<StoreError.Code?, Never>)] = []
        for (index, id) in ["small-1", "big", "small-2"].enumerated() {
            let task = Task { () -> StoreError.Code? in
                do throws(StoreError) {
                    _ = try await store.ingest(.make(id: id, raw: id == "big" ? big : [1]), events: [.make(.hardBounce, address: "\(id)@example.com")], policy: TestPolicy())
                    return nil
                } catch {
                    return error.code
                }
            }
            tasks.append((id, task))
            try await WriterGate.waitUntil { store.writer.pendingCount == index + 1 }
        }
        let before = store.writerStatistics
        gate.open()
        var codes: [String: StoreError.Code?] = [:]
        for (id, task) in tasks { codes[id] = await task.value }
        try await gate.task.value
        #expect(store.writerStatistics.failedCommits - before.failedCommits >= 1)
        #expect(codes["big"] == .some(.full))
        #expect(codes["small-1"] == .some(nil))
        #expect(codes["small-2"] == .some(nil))
        #expect(try await store.hasMessage(id: "small-1"))
        #expect(try await store.hasMessage(id: "small-2"))
        #expect(try await store.hasMessage(id: "big") == false)
        #expect(try await store.suppression(for: "big@example.com", scope: nil, at: referenceDate) == nil)
    }

    @Test func readOnlyConnectionFailsReadinessProbeThenHeals() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        try await store.checkWritable()
        try await store.writer.submit { database throws(StoreError) in try database.execute("PRAGMA query_only = ON") }
        let error = await #expect(throws: StoreError.self) { try await store.checkWritable() }
        #expect(error?.code == .readOnly)
        // Reads keep working while writes cannot.
        #expect(try await store.suppression(for: "user@example.com", scope: nil, at: referenceDate) == nil)
        // A read-only refusal makes the writer renew its connections (at most once a second), so the
        // store heals by itself once the cause is gone (here: the next connection is not query_only).
        try await store.putManual(.make())
        #expect(try await store.suppression(for: "user@example.com", scope: nil, at: referenceDate) != nil)
        try await store.checkWritable()
    }

    @Test func committedDataSurvivesReopen() async throws {
        let directory = try TemporaryDirectory()
        do {
            let store = try directory.openStore()
            _ = try await store.ingest(.make(id: "durable"), events: [.make(.hardBounce, address: "d@example.com")], policy: TestPolicy())
            try await store.setSetting("sending.paused", "true")
            store.close()
            let error = await #expect(throws: StoreError.self) { try await store.hasMessage(id: "durable") }
            #expect(error?.code == .unavailable)
        }
        let reopened = try directory.openStore()
        defer { reopened.close() }
        #expect(try await reopened.hasMessage(id: "durable"))
        #expect(try await reopened.suppression(for: "d@example.com", scope: nil, at: referenceDate)?.reason == .hardBounce)
        #expect(try await reopened.setting("sending.paused") == "true")
        #expect(try await reopened.ingest(.make(id: "durable"), events: [], policy: TestPolicy()) == .duplicate)
    }

    @Test func writesAfterCloseAreRefused() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        store.close()
        store.close()  // idempotent
        let error = await #expect(throws: StoreError.self) { try await store.putManual(.make()) }
        #expect(error?.code == .unavailable)
    }
}
