import Foundation
import Logging
import SluiceAWS
import SluiceCore
@testable import SluiceStore
import SluiceTestSupport
import Synchronization
import Testing
@testable import SluiceApp

/// The send engine when things go wrong around the SES call: the store failing to record an outcome, a row
/// that cannot be read, a message larger than the quota, a claim held up before its call, a clock stepped back,
/// throttling, and memory bounds. Each test runs a real `SendEngine` on a real SQLite file.
@Suite(.serialized)
struct SendWorkerRecoveryTests {
    // MARK: Harness

    /// A transport whose answers and `prepare` the test scripts; it records every call.
    final class ScriptedTransport: SendTransport, Sendable {
        let requests = Mutex<[SESSendEmailRequest]>([])
        let prepares = Atomic<Int>(0)
        let running = Atomic<Int>(0)
        let mostRunning = Atomic<Int>(0)
        private let answer: @Sendable (Int) -> TransportResult
        private let onPrepare: @Sendable (Int) async -> Void
        private let callTime: Duration
        var kind: String { "scripted" }

        /// - Parameters:
        ///   - answer: the result of call number n (1-based).
        ///   - onPrepare: runs in `prepare` number n (1-based), before the call's last claim check.
        ///   - callTime: how long a call takes.
        init(
            callTime: Duration = .zero, answer: @escaping @Sendable (Int) -> TransportResult = { .init(outcome: .accepted(sesMessageId: "ses-\($0)")) },
            onPrepare: @escaping @Sendable (Int) async -> Void = { _ in }
        ) {
            self.answer = answer
            self.onPrepare = onPrepare
            self.callTime = callTime
        }

        var calls: Int { requests.withLock { $0.count } }

        func prepare() async -> TransportResult? {
            await onPrepare(prepares.add(1, ordering: .relaxed).newValue)
            return nil
        }

        func send(_ request: SESSendEmailRequest, at date: Date) async -> TransportResult {
            let now = running.add(1, ordering: .relaxed).newValue
            mostRunning.max(now, ordering: .relaxed)
            if callTime > .zero { try? await Task.sleep(for: callTime) }
            running.subtract(1, ordering: .relaxed)
            let n = requests.withLock { $0.append(request); return $0.count }
            return answer(n)
        }

        func account() async throws(SESError) -> SESAccount? { nil }
    }

    /// One engine on a fresh SQLite file (or PostgreSQL database), its wall clock a `MovableClock`.
    final class Harness: Sendable {
        let directory: TestDirectory
        let store: any AppStore
        let context: AppContext
        let logs: CapturingLogHandler.Lines
        let clock = MovableClock()
        let gate: SendGateConfiguration

        init(_ environment: [String: String] = [:]) throws {
            let fixture = try SendEngineFixture(prefix: "sluice-send-recovery", environment: environment, clock: clock)
            directory = fixture.directory
            store = fixture.store
            context = fixture.context
            logs = fixture.logs
            gate = fixture.gate
        }

        /// A harness on a fresh database of the throwaway PostgreSQL server.
        static func postgres(_ environment: [String: String] = [:]) async throws -> Harness {
            let url = try await PostgresTestServer.shared().createDatabase()
            return try await offPool { try Harness(environment.merging(["SLUICE_DATABASE_URL": url]) { $1 }) }
        }

        var sqlite: SQLiteStore {
            get throws { try #require(store as? SQLiteStore) }
        }

        deinit { store.close() }

        var now: Date { context.now() }

        func move(by seconds: TimeInterval) { clock.offset.withLock { $0 += seconds } }

        /// Runs an engine with `transport` while `body` runs.
        func running(_ transport: ScriptedTransport, _ body: (SendEngine) async throws -> Void) async throws {
            let engine = SendEngine(context: context, configuration: gate, transport: transport)
            let task = Task { await engine.run() }
            defer { task.cancel() }
            try await body(engine)
            task.cancel()
            await task.value
        }

        @discardableResult
        func enqueue(
            _ id: String, to: [String] = ["r@example.net"], raw: Data? = nil, due: Date? = nil, created: Date? = nil
        ) async throws -> QueuedMessage {
            let message = OutboundMessage(
                from: "s@example.com", fromAddress: "s@example.com", to: to, subject: raw == nil ? "s" : nil, text: raw == nil ? "t" : nil,
                raw: raw)
            let queued = QueuedMessage(id: id, message: message, nextAttemptAt: due ?? now, createdAt: created ?? now)
            _ = try await store.enqueue(queued, idempotency: nil)
            return queued
        }

        func row(_ id: String) async throws -> QueuedMessage { try #require(try await store.queuedMessage(id: id)) }

        func sql(_ text: String) async throws {
            try await sqlite.writer.submit { database throws(StoreError) in try database.execute(text) }
        }

        func metric(_ name: String) -> Int {
            let line = context.metrics.registry.render().split(separator: "\n").first { $0.hasPrefix(name + " ") }
            return line.flatMap { Int(Double($0.split(separator: " ").last ?? "") ?? 0) } ?? 0
        }

        /// Polls `condition` every 10 ms (bounded: ~20 s).
        func waitUntil(_ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
            for _ in 0..<2000 {
                if try await condition() { return }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw TestSupportError("timed out waiting for \(what)")
        }

        /// State and error read straight from the row (its payload may not decode).
        func rawState(_ id: String) async throws -> (state: String, error: String?)? {
            try await sqlite.readers.read { database throws(StoreError) in
                let statement = try database.statement("SELECT state, error FROM outbound_messages WHERE id = ?1")
                defer { statement.reset() }
                statement.bind(id, at: 1)
                guard try statement.step() else { return nil }
                return (statement.string(at: 0), statement.optionalString(at: 1))
            }
        }

        func waitForState(_ id: String, _ states: Set<MessageState>) async throws -> QueuedMessage {
            try await waitUntil("\(id) in \(states)") { [store] in
                guard let state = try await store.queuedMessage(id: id)?.state else { return false }
                return states.contains(state)
            }
            return try await row(id)
        }
    }

    // MARK: Recording outcomes

    /// SES accepted the message, then the store refuses `sent` for far longer than the old three tries: the
    /// outcome is retried until recorded, and crash recovery (which other rows show to be running) leaves the
    /// row alone meanwhile, so the SES message id and the send count are kept.
    @Test func knownOutcomeIsRecordedHoweverLongTheStoreRefusesIt() async throws {
        let harness = try Harness(["SLUICE_SES_REQUEST_TIMEOUT_SECONDS": "1"])
        try await harness.sql("""
            CREATE TRIGGER refuse_sent BEFORE UPDATE OF state ON outbound_messages WHEN NEW.state = 'sent'
            BEGIN SELECT json('injected: the store cannot record sent'); END
            """)  // a plain SQLite error (not a constraint, which is not retried): an outage that passes
        try await harness.enqueue("msg_known")
        let transport = ScriptedTransport { _ in .init(outcome: .accepted(sesMessageId: "ses-accepted-1")) }
        try await harness.running(transport) { _ in
            try await harness.waitUntil("five failed tries") { harness.metric("sluice_send_record_failures_total") >= 5 }
            // Past the recovery age (3 × 1 s) by far; a crashed claim left beside it shows recovery runs.
            harness.move(by: 3600)
            try await harness.enqueue("msg_crashed", due: harness.now.addingTimeInterval(86_400))
            #expect(try await harness.store.claim(id: "msg_crashed", dropping: [], message: nil, at: harness.now.addingTimeInterval(-600), dueBy: .distantFuture))
            #expect(try await harness.waitForState("msg_crashed", [.failed]).error?.hasPrefix("outcome_unknown") == true)
            let held = try await harness.row("msg_known")
            #expect(held.state == .sending, "recovered while its outcome was being recorded: \(held.error ?? "")")
            try await harness.sql("DROP TRIGGER refuse_sent")
            let sent = try await harness.waitForState("msg_known", [.sent, .failed, .queued])
            #expect(sent.state == .sent)
            #expect(sent.sesMessageId == "ses-accepted-1")
            #expect(sent.attempts == 1)
        }
        #expect(transport.calls == 1)
        let sends = try await harness.store.hourlyCounters(from: .distantPast, to: .distantFuture).filter { $0.kind == .send }
        #expect(sends.map(\.count).reduce(0, +) == 1)
        // Logged once, not once per try.
        #expect(harness.logs.all.filter { $0.message.hasPrefix("cannot record send outcome; will try again") }.count == 1)
        #expect(harness.logs.contains("recorded after all"))
    }

    /// A change the store refuses for good (a constraint here) is not retried forever: logged as an error once,
    /// the row left `sending` to crash recovery.
    @Test func outcomeTheStoreRefusesForGoodIsLeftToCrashRecovery() async throws {
        let harness = try Harness()
        try await harness.sql("""
            CREATE TRIGGER refuse_sent BEFORE UPDATE OF state ON outbound_messages WHEN NEW.state = 'sent'
            BEGIN SELECT RAISE(ABORT, 'injected: a constraint'); END
            """)
        try await harness.enqueue("msg_refused")
        let transport = ScriptedTransport()
        try await harness.running(transport) { _ in
            try await harness.waitUntil("the record given up") { harness.logs.contains("the store refuses it for good") }
            #expect(try await harness.row("msg_refused").state == .sending)
        }
        #expect(harness.metric("sluice_send_record_failures_total") == 1)
        #expect(transport.calls == 1)
        #expect(SendEngine.isPermanent(StoreError(.invalidInput, "x")) && SendEngine.isPermanent(StoreError(.corrupt, "x")))
        #expect(!SendEngine.isPermanent(StoreError(.busy, "x")) && !SendEngine.isPermanent(CancellationError()))
    }

    // MARK: Before the call

    /// The credential fetch is outside the call's timeout: a claim that grew too old during it is released, not
    /// called, and sent on the next claim.
    @Test func claimTooOldAfterTheCredentialFetchIsReleasedWithoutCalling() async throws {
        let harness = try Harness()
        let window = harness.gate.claimCallWindow
        try await harness.enqueue("msg_slow_keys")
        let transport = ScriptedTransport(onPrepare: { n in if n == 1 { harness.move(by: window + 1) } })
        try await harness.running(transport) { _ in
            let done = try await harness.waitForState("msg_slow_keys", [.sent, .failed])
            #expect(done.state == .sent)
            #expect(done.attempts == 1, "the released claim counted no attempt")
        }
        #expect(transport.prepares.load(ordering: .relaxed) == 2)
        #expect(transport.calls == 1)
        #expect(harness.logs.contains("released without calling"))
    }

    /// A recipient suppressed between the claim and a late call (here: during a slow credential fetch) is not
    /// mailed: the claim is released and the next claim drops the recipient.
    @Test func recipientSuppressedAfterTheClaimIsDroppedBeforeTheCall() async throws {
        let harness = try Harness()
        try await harness.enqueue("msg_late", to: ["keep@example.net", "late@example.net"])
        let store = harness.store
        let transport = ScriptedTransport(onPrepare: { n in
            guard n == 1 else { return }
            try? await store.putManual(Suppression(address: "late@example.net", reason: .complaint, firstSeen: harness.now, source: "operator:test"))
            harness.move(by: 2)
        })
        try await harness.running(transport) { _ in
            let done = try await harness.waitForState("msg_late", [.sent, .failed, .suppressed])
            #expect(done.state == .sent)
            #expect(done.message.recipients == ["keep@example.net"])
            #expect(done.suppressed.map(\.address) == ["late@example.net"])
            #expect(done.attempts == 1)
        }
        #expect(transport.requests.withLock { $0.map(\.destination.to) } == [["keep@example.net"]])
    }

    /// A payload that cannot be decoded is failed with a clear reason instead of being dispatched every pass;
    /// other mail goes on.
    @Test func undecodablePayloadIsFailedNotRetriedForever() async throws {
        let harness = try Harness()
        try await harness.enqueue("msg_broken")
        try await harness.enqueue("msg_fine")
        try await harness.sql("UPDATE outbound_messages SET payload = X'7B6E6F' WHERE id = 'msg_broken'")
        let transport = ScriptedTransport()
        try await harness.running(transport) { _ in
            #expect(try await harness.waitForState("msg_fine", [.sent, .failed]).state == .sent)
            try await harness.waitUntil("msg_broken failed") { try await harness.rawState("msg_broken")?.state == "failed" }
        }
        let broken = try #require(try await harness.rawState("msg_broken"))
        #expect(broken.error?.hasPrefix("payload_unreadable") == true, "\(broken.error ?? "")")
        #expect(transport.calls == 1)
        #expect(harness.logs.contains("message can never be sent; failed"))
    }

    /// Reads found unreadable twice in a row fail the row even when an earlier failure was transient; while it
    /// backs off, the row is made due later in the store too (it does not fill every pass's batch).
    @Test func unreadableAfterATransientFailureIsStillFailed() async throws {
        let harness = try Harness()
        try await harness.enqueue("msg_flaky")
        let engine = SendEngine(context: harness.context, configuration: harness.gate, transport: ScriptedTransport())
        await engine.stepFailed("msg_flaky", error: StoreError(.busy, "injected: busy"))
        #expect(try await harness.row("msg_flaky").nextAttemptAt > harness.now, "made due later while it backs off")
        await engine.stepFailed("msg_flaky", error: StoreError(.corrupt, "injected: unreadable"))
        #expect(try await harness.row("msg_flaky").state == .queued, "one unreadable read is not enough")
        harness.move(by: 120)
        await engine.stepFailed("msg_flaky", error: StoreError(.corrupt, "injected: unreadable"))
        let row = try await harness.row("msg_flaky")
        #expect(row.state == .failed)
        #expect(row.error?.hasPrefix("payload_unreadable") == true, "\(row.error ?? "")")
    }

    /// More recipients than the whole daily quota: failed at the reservation, not waited for forever.
    @Test func messageLargerThanTheDailyQuotaIsFailedAtItsReservation() async throws {
        let harness = try Harness()
        try await StoredSendQuota(store: harness.store).record(max24HourSend: 2, sentLast24Hours: 0, at: harness.now)
        try await harness.enqueue("msg_wide", to: ["a@example.net", "b@example.net", "c@example.net"])
        try await harness.enqueue("msg_narrow", to: ["a@example.net", "b@example.net"])
        let transport = ScriptedTransport()
        try await harness.running(transport) { _ in
            let wide = try await harness.waitForState("msg_wide", [.failed, .sent])
            #expect(wide.state == .failed)
            #expect(wide.error?.hasPrefix("exceeds_daily_quota: 3 recipients") == true)
            #expect(try await harness.waitForState("msg_narrow", [.sent, .failed]).state == .sent)
        }
        #expect(transport.requests.withLock { $0.map(\.destination.to.count) } == [2])
    }

    // MARK: Throttling

    /// Throttling spends no attempts (one allowed here), however often it comes.
    @Test func throttlingSpendsNoAttempts() async throws {
        let harness = try Harness(["SLUICE_SES_MAX_ATTEMPTS": "1", "SLUICE_SES_MAX_BACKOFF_SECONDS": "1"])
        try await harness.enqueue("msg_throttled")
        let transport = ScriptedTransport { n in
            n <= 4 ? .init(outcome: .failed(decision: .throttled, error: "TooManyRequestsException: slow down")) : .init(outcome: .accepted(sesMessageId: "ses-late"))
        }
        try await harness.running(transport) { _ in
            let done = try await harness.waitForState("msg_throttled", [.sent, .failed])
            #expect(done.state == .sent)
            #expect(done.attempts == 1)
            #expect(done.sesMessageId == "ses-late")
        }
        #expect(transport.calls == 5)
    }

    /// A message SES keeps throttling is failed once the throttling has gone on for
    /// `ses.throttled_max_age_seconds`, counted from its first throttle, not from acceptance: one accepted long
    /// before (a backlog after a pause) is still retried.
    @Test func throttlingPastTheAgeLimitFailsTheMessage() async throws {
        let harness = try Harness(["SLUICE_SES_THROTTLED_MAX_AGE_SECONDS": "100", "SLUICE_SES_MAX_BACKOFF_SECONDS": "1"])
        try await harness.enqueue("msg_old", created: harness.now.addingTimeInterval(-86_400))
        // Each throttled call takes 30 s (the clock moves before the answer is handled): the run starts at the
        // first answer and is 30, 60, 90, then 120 s old at the next four.
        let transport = ScriptedTransport { _ in
            harness.move(by: 30)
            return .init(outcome: .failed(decision: .throttled, error: "TooManyRequestsException: slow down"))
        }
        try await harness.running(transport) { _ in
            let done = try await harness.waitForState("msg_old", [.sent, .failed])
            #expect(done.error?.hasPrefix("gave up: SES still throttles after 12") == true, "\(done.error ?? "")")
        }
        #expect(transport.calls == 5)
    }

    // MARK: Clock

    /// After the wall clock steps back, mail that was due before the step is still sent, not held for the
    /// length of the step (`dueNow`).
    @Test func clockSteppedBackDoesNotHoldTheQueue() async throws {
        let harness = try Harness()
        harness.move(by: 3600)
        let transport = ScriptedTransport()
        try await harness.running(transport) { _ in
            // Due only by the later clock: once sent, the engine has read it.
            try await harness.enqueue("msg_before")
            #expect(try await harness.waitForState("msg_before", [.sent, .failed]).state == .sent)
            // Due a second after the engine's latest reading (so not listed before the step), then the clock
            // steps back an hour: by the wall clock it would wait that hour.
            try await harness.enqueue("msg_queued_before_the_step", due: harness.now.addingTimeInterval(1))
            harness.move(by: -3600)
            #expect(try await harness.waitForState("msg_queued_before_the_step", [.sent, .failed]).state == .sent)
        }
        #expect(transport.calls == 2)
    }

    /// After the wall clock steps back, a retry's backoff counts from `dueNow` (as rows are listed), not from
    /// the stepped-back clock: it is not already due when set, so attempts are not burnt at once.
    @Test func retryAfterAClockStepBackIsNotAlreadyDue() async throws {
        let harness = try Harness()
        harness.move(by: 3600)
        let store = harness.store
        let seen = Mutex<(due: Date, wall: Date)?>(nil)
        let transport = ScriptedTransport(
            answer: { n in n == 2 ? .init(outcome: .failed(decision: .retryable, error: "500")) : .init(outcome: .accepted(sesMessageId: "ses-\(n)")) },
            onPrepare: { n in
                // The retry's claim leaves `next_attempt_at` as the failure set it.
                guard n == 3, let row = try? await store.queuedMessage(id: "msg_retry") else { return }
                seen.withLock { $0 = (row.nextAttemptAt, harness.now) }
            })
        try await harness.running(transport) { _ in
            try await harness.enqueue("msg_before")
            #expect(try await harness.waitForState("msg_before", [.sent, .failed]).state == .sent)
            harness.move(by: -3600)
            try await harness.enqueue("msg_retry")
            let done = try await harness.waitForState("msg_retry", [.sent, .failed])
            #expect(done.state == .sent)
            #expect(done.attempts == 2)
        }
        let retry = try #require(seen.withLock { $0 })
        #expect(retry.due > retry.wall.addingTimeInterval(3000), "the backoff counted from the stepped-back clock: \(retry)")
    }

    /// PostgreSQL: a shared send schedule lying a day ahead (another instance's clock, or this one's before a
    /// step back) is not waited out.
    @Test func sharedScheduleFarAheadIsNotWaitedFor() async throws {
        let harness = try await Harness.postgres()
        let budget = try #require(harness.store as? any SharedSendBudget)
        _ = try await budget.reserveSendSlot(name: SendEngine.budgetName, seconds: 1, at: harness.now.addingTimeInterval(86_400))
        try await harness.enqueue("msg_shared")
        let transport = ScriptedTransport()
        try await harness.running(transport) { _ in
            let done = try await harness.waitForState("msg_shared", [.sent, .failed])
            #expect(done.state == .sent)
        }
        #expect(transport.calls == 1)
        #expect(harness.logs.contains("shared send schedule lies far ahead"))
        #expect(SendEngine.plausibleScheduleLead(cost: 0.01, concurrency: 32) == 60)
        #expect(SendEngine.plausibleScheduleLead(cost: 1.02, concurrency: 32) == 16 * 32 * 1.02)
    }

    // MARK: Memory

    /// `ses.max_inflight_bytes`: messages whose payloads together exceed it are never in flight together; one
    /// larger than it still goes (alone).
    @Test func payloadBytesInFlightStayWithinTheBudget() async throws {
        let harness = try Harness(["SLUICE_SES_MAX_INFLIGHT_BYTES": String(1 << 20), "SLUICE_SES_CONCURRENCY": "8"])
        #expect(harness.gate.concurrency == 8)
        #expect(harness.gate.maxInflightBytes == 1 << 20)
        let part = Data(repeating: UInt8(ascii: "a"), count: 450_000)
        for i in 0..<4 { try await harness.enqueue("msg_big_\(i)", to: ["r\(i)@example.net"], raw: part) }
        try await harness.enqueue("msg_huge", to: ["h@example.net"], raw: Data(repeating: UInt8(ascii: "b"), count: 1 << 20))
        let transport = ScriptedTransport(callTime: .milliseconds(30))
        try await harness.running(transport) { _ in
            for id in (0..<4).map({ "msg_big_\($0)" }) + ["msg_huge"] {
                let done = try await harness.waitForState(id, [.sent, .failed])
                #expect(done.state == .sent, "\(id)")
            }
        }
        // Each stored payload is ~600 KB (base64): two would pass 1 MiB.
        #expect(transport.mostRunning.load(ordering: .relaxed) == 1)
        #expect(transport.calls == 5)
    }

    @Test func inflightLedgerWeighsBytesAndLetsAnOversizedMessageGoAlone() {
        var ledger = InflightLedger()
        #expect(ledger.hasRoom(for: 5_000, concurrency: 2, budget: 1_000), "nothing in flight: any size goes")
        var inserted = ledger.insert("huge", weight: 5_000)
        #expect(inserted)
        inserted = ledger.insert("huge", weight: 5_000)
        #expect(!inserted, "already in flight")
        #expect(!ledger.hasRoom(for: 1, concurrency: 2, budget: 1_000))
        ledger.remove("huge")
        #expect(ledger.bytes == 0)
        _ = ledger.insert("a", weight: 600)
        #expect(!ledger.hasRoom(for: 600, concurrency: 8, budget: 1_000))
        #expect(ledger.hasRoom(for: 400, concurrency: 8, budget: 1_000))
        _ = ledger.insert("b", weight: 400)
        #expect(!ledger.hasRoom(for: 0, concurrency: 2, budget: 1_000), "count limit")
        ledger.remove("a")
        ledger.remove("missing")
        #expect(ledger.count == 1)
        #expect(ledger.bytes == 400)
    }

    // MARK: Accept time

    /// A configured (static) daily quota smaller than a message's recipients refuses it at once.
    @Test func messageOverAConfiguredDailyQuotaIsRefusedAtAcceptTime() async throws {
        let app = try await SendTestApp.start(settings: ["ses.max_24h_send": .integer(2)])
        try await withFixture(app) { app in
            let refused = try await app.post(SendTestApp.message(to: ["a@example.net", "b@example.net", "c@example.net"]))
            #expect(refused.status == 400)
            #expect(refused.errorCode == "too_many_recipients")
            #expect(try await app.post(SendTestApp.message(to: ["a@example.net", "b@example.net"])).status == 202)
        }
    }

    /// Lists past their limit are refused with the validator's own error, before their strings are made: ahead
    /// of what the validator would find first (an invalid sender) and of a later element that is no string.
    @Test func oversizedListsAreRefusedWithTheValidatorsError() async throws {
        let app = try await SendTestApp.start()
        try await withFixture(app) { app in
            let many = (0..<51).map { "r\($0)@example.net" }
            let expected = MessageRequestValidator.tooManyElements(in: "to")
            // The validator checks the sender first: without the parse-time limit this would be invalid_address.
            let refused = try await app.post(SendTestApp.message(from: "not an address", to: many))
            #expect(refused.status == 400)
            #expect(refused.errorCode == "too_many_recipients")
            #expect(((refused.json["error"] as? [String: Any])?["message"] as? String)?.contains(expected.message) == true)
            #expect(try await app.post(SendTestApp.message(from: "not an address", to: ["a@example.net"])).errorCode == "invalid_address")
            // A number as the 51st element: read element by element, it would be a type mismatch.
            let list = many.dropLast().map { "\"\($0)\"" }.joined(separator: ",") + ",7"
            let mixed = try await app.post(#"{"from":"s@example.com","to":["# + list + #"],"subject":"s","text":"t"}"#)
            #expect(mixed.status == 400)
            #expect(mixed.errorCode == "too_many_recipients")
            // A body of tiny values, far more than any request holds.
            let flood = #"{"from":"s@example.com","to":["a@example.net"],"subject":"s","text":"t","x":["# + String(repeating: "0,", count: 100_000) + "0]}"
            let flooded = try await app.post(flood)
            #expect(flooded.status == 400)
            #expect(flooded.errorCode == "invalid_json")
        }
    }
}
