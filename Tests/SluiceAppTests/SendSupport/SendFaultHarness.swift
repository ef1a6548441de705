import Foundation
import Logging
import SluiceAWS
import SluiceCore
import SluiceTestSupport
import Synchronization
import Testing
@testable import SluiceApp

/// One `SendEngine` on a fresh SQLite file seen through a `FaultInjectingStore`, its wall clock the real one
/// plus an offset the test moves. The engine's background loops run fast (housekeeping every 20 ms, record
/// retries 10–40 ms apart); everything else is as configured.
final class SendFaultHarness: Sendable {
    let directory: TestDirectory
    /// The wrapper the engine uses.
    let store: FaultInjectingStore
    /// The real store under it: what another instance (or the test) would use.
    let base: any AppStore
    let context: AppContext
    let logs: CapturingLogHandler.Lines
    let clock = MovableClock()
    let gate: SendGateConfiguration

    init(_ environment: [String: String] = [:]) throws {
        let fixture = try SendEngineFixture(prefix: "sluice-send-faults", environment: environment, clock: clock) { FaultInjectingStore($0) }
        directory = fixture.directory
        base = fixture.store
        store = try #require(fixture.context.store as? FaultInjectingStore)
        context = fixture.context
        logs = fixture.logs
        gate = fixture.gate
    }

    deinit { base.close() }

    var now: Date { context.now() }

    func move(by seconds: TimeInterval) { clock.offset.withLock { $0 += seconds } }

    /// Sets the wall clock to `date` (it runs on from there).
    func set(_ date: Date) { clock.offset.withLock { $0 = date.timeIntervalSinceNow } }

    /// Runs an engine with `transport` while `body` runs, then stops it and waits for it.
    func running(_ transport: some SendTransport, _ body: () async throws -> Void) async throws {
        let engine = SendEngine(context: context, configuration: gate, transport: transport)
        let task = Task { await engine.run() }
        defer { task.cancel() }
        try await body()
        task.cancel()
        await task.value
    }

    @discardableResult
    func enqueue(_ id: String, to: [String] = ["r@example.net"], raw: Data? = nil, due: Date? = nil) async throws -> QueuedMessage {
        let message = OutboundMessage(
            from: "s@example.com", fromAddress: "s@example.com", to: to, subject: raw == nil ? "s" : nil, text: raw == nil ? "t" : nil,
            raw: raw)
        let queued = QueuedMessage(id: id, message: message, nextAttemptAt: due ?? now, createdAt: now)
        _ = try await base.enqueue(queued, idempotency: nil)
        return queued
    }

    /// The row as the real store has it.
    func row(_ id: String) async throws -> QueuedMessage { try #require(try await base.queuedMessage(id: id)) }

    /// Polls `condition` every 10 ms (bounded: ~30 s).
    func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<3000 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestSupportError("timed out waiting for \(what)")
    }

    func waitForState(_ id: String, _ states: Set<MessageState>) async throws -> QueuedMessage {
        try await waitUntil("\(id) in \(states)") {
            guard let state = try await base.queuedMessage(id: id)?.state else { return false }
            return states.contains(state)
        }
        return try await row(id)
    }

    /// Waits for `passes` more crash-recovery passes of the engine's housekeeping than have run so far.
    func waitForRecoveryPasses(_ passes: Int = 3) async throws {
        let seen = store.calls(.recoverInflight).count
        try await waitUntil("\(passes) recovery passes") { store.calls(.recoverInflight).count >= seen + passes }
    }
}

/// A transport that answers every call with acceptance after `callTime`, runs a hook in `prepare`, and records
/// which calls ran at the same time (by their first recipient).
final class ObservingTransport: SendTransport {
    /// One `send`: its first recipient and the first recipients of every call running when it started (itself
    /// included).
    struct Call: Sendable {
        var recipient: String
        var runningAtStart: Set<String>
    }

    let calls = Mutex<[Call]>([])
    let prepares = Atomic<Int>(0)
    private let running = Mutex<Set<String>>([])
    private let callTime: Duration
    private let onPrepare: @Sendable (Int) async -> Void
    var kind: String { "observing" }

    /// - Parameters:
    ///   - callTime: how long each `send` takes.
    ///   - onPrepare: runs in `prepare` number n (1-based), before the engine's last checks of the claim.
    init(callTime: Duration = .zero, onPrepare: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.callTime = callTime
        self.onPrepare = onPrepare
    }

    var sends: Int { calls.withLock { $0.count } }

    /// The recipients SES was called for, in the order the calls started.
    var recipients: [String] { calls.withLock { $0.map(\.recipient) } }

    func prepare() async -> TransportResult? {
        await onPrepare(prepares.add(1, ordering: .relaxed).newValue)
        return nil
    }

    func send(_ request: SESSendEmailRequest, at date: Date) async -> TransportResult {
        let recipient = request.destination.to.first ?? ""
        let n = calls.withLock { calls in
            let snapshot = running.withLock { $0.insert(recipient); return $0 }
            calls.append(Call(recipient: recipient, runningAtStart: snapshot))
            return calls.count
        }
        if callTime > .zero { try? await Task.sleep(for: callTime) }
        _ = running.withLock { $0.remove(recipient) }
        return TransportResult(outcome: .accepted(sesMessageId: "ses-\(n)"))
    }

    func account() async throws(SESError) -> SESAccount? { nil }
}
