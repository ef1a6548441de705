import Foundation
import Logging
import SluiceAWS
import SluiceCore
import SluiceStore
import SluiceTestSupport
import Synchronization
import Testing
@testable import SluiceApp

/// The claimant's half of crash recovery: a claim older than `claimCallWindow` when its SES call is due is
/// released, not called, so another instance's recovery (after `inflightRecoveryAge`) never races a live call.
struct SendClaimAgeTests {
    /// Counts calls; any call at all fails the test.
    final class CountingTransport: SendTransport, Sendable {
        let calls = Atomic<Int>(0)
        var kind: String { "counting" }
        func send(_ request: SESSendEmailRequest, at date: Date) async -> TransportResult {
            calls.add(1, ordering: .relaxed)
            return TransportResult(outcome: .accepted(sesMessageId: "recorded"))
        }
        func account() async throws(SESError) -> SESAccount? { nil }
    }

    @Test func claimHeldPastTheCallWindowIsReleasedWithoutCalling() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-claim-age-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = try ConfigurationLoader().load(fileText: nil, environment: [
            "SLUICE_DATABASE_PATH": directory.appendingPathComponent("sluice.sqlite").path,
            "SLUICE_SES_MAX_SEND_RATE": "100",
        ])
        let (logger, logs) = CapturingLogHandler.logger(label: "sluice.send.tests", level: .info)
        let store = try Application.openStore(configuration: configuration, logger: logger)
        defer { store.close() }
        let gate = SendGateConfiguration(configuration: configuration)
        // Every stretch of work stalls: each clock read is a call window and a second later than the last,
        // so every claim is too old by the time its call is due.
        let reads = Atomic<Int>(0)
        let start = Date()
        let step = gate.claimCallWindow + 1
        let context = AppContext(configuration: configuration, logger: logger, store: store, metrics: AppMetrics(), state: ServiceState()) {
            start.addingTimeInterval(Double(reads.add(1, ordering: .relaxed).newValue) * step)
        }
        let message = OutboundMessage(from: "s@example.com", fromAddress: "s@example.com", to: ["r@example.net"], subject: "s", text: "t")
        _ = try await store.enqueue(QueuedMessage(id: "msg_stalled", message: message, nextAttemptAt: start, createdAt: start), idempotency: nil)

        let transport = CountingTransport()
        let engine = SendEngine(context: context, configuration: gate, transport: transport)
        let running = Task { await engine.run() }
        try await waitUntil("the claim is released or called") {
            logs.contains("released without calling") || transport.calls.load(ordering: .relaxed) > 0
        }
        running.cancel()
        await running.value

        #expect(transport.calls.load(ordering: .relaxed) == 0, "a stale claim reached SES")
        let row = try #require(try await store.queuedMessage(id: "msg_stalled"))
        #expect(row.state == .queued)
        #expect(row.attempts == 0, "a release is not an attempt")
    }

    /// Polls `condition` every 20 ms (bounded: ~15 s).
    private func waitUntil(_ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
        for _ in 0..<750 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("timed out waiting for \(what)")
    }
}
