import Foundation
import SluiceCore
import SluiceTestSupport
import Testing
@testable import SluiceApp

/// A transient store error on pacing's read of a due message (`SendEngine.paced`) delays that message only.
///
/// Why: with `pacing.*` on, each due message is read (`queuedMessage`) before it is admitted. A read that fails
/// for a passing reason (busy, I/O, unavailable) must not fail the message (only a row found unreadable twice
/// in a row is failed), must not spend an attempt (nothing was claimed), and must not let it go unpaced past
/// its group or warm-up limits. The code skips it for this pass, backs it off (`stepFailed`: in memory and made
/// due later in the store) and reads it again later. Each test runs a real `SendEngine` on a real SQLite file
/// behind `FaultInjectingStore`.
@Suite(.serialized)
struct SendPacingReadFailureTests {
    /// Three transient read failures in a row (busy, I/O, unavailable): each one backs the message off (made due
    /// later in the store) before the message is read again, and once the reads work it is claimed once and
    /// sent, attempts 1, nothing failed.
    @Test func transientPacingReadFailuresDelayTheMessageWithoutFailingItOrSpendingAnAttempt() async throws {
        let harness = try SendFaultHarness(["SLUICE_PACING_GROUPS": "net:example.net=50"])
        #expect(PacingGate(configuration: harness.context.configuration, now: harness.now).isEnabled)
        try await harness.enqueue("msg_paced")
        for code in [StoreError.Code.busy, .io, .unavailable] {
            harness.store.fail(.queuedMessage, id: "msg_paced", times: 1, with: StoreError(code, "injected: a passing outage"))
        }
        let transport = ObservingTransport()
        try await harness.running(transport) {
            try await harness.waitUntil("the first failed read") { harness.store.calls(.queuedMessage, id: "msg_paced").contains(where: \.failed) }
            let during = try await harness.row("msg_paced")
            #expect(during.state == .queued)
            #expect(during.attempts == 0)
            let done = try await harness.waitForState("msg_paced", [.sent, .failed, .suppressed])
            #expect(done.state == .sent)
            #expect(done.attempts == 1, "a failed read spent an attempt")
            #expect(done.error == nil)
        }
        #expect(transport.sends == 1)
        let store = harness.store
        #expect(store.calls(.queuedMessage, id: "msg_paced").filter(\.failed).count == 3)
        #expect(store.calls(.claim, id: "msg_paced").count == 1)
        #expect(store.calls(.markFailed, id: "msg_paced").isEmpty)
        #expect(store.calls(.requeue, id: "msg_paced").isEmpty)
        // Backed off after each failure: made due later in the store, and logged as a step failure.
        #expect(store.calls(.deferQueued, id: "msg_paced").count == 3)
        #expect(harness.logs.named("send step failed before the SES call; tried again later").count == 3)
        #expect(!harness.logs.contains("payload_unreadable"))
        // Each failed read is backed off before the message is read again: it was not sent on unpaced, to fail
        // (or not) at the claim's own read.
        let trail = store.allCalls.filter { ($0.operation == .queuedMessage || $0.operation == .deferQueued) && $0.id == "msg_paced" }
        for (index, call) in trail.enumerated() where call.failed {
            #expect(index + 1 < trail.count && trail[index + 1].operation == .deferQueued, "read again without backing off: \(trail.map(\.operation))")
        }
    }

    /// A transient failure of pacing's read does not let the message skip pacing: its identity's warm-up cap for
    /// the day is used up, so once read it is made due at the next UTC midnight, not sent. (Sent on at once, it
    /// would be claimed and mailed past the cap.) The next day it goes, its first attempt.
    @Test func transientPacingReadFailureDoesNotLetTheMessageSkipItsWarmupCap() async throws {
        let day = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        let noon = try #require(ISO8601DateFormatter().date(from: "\(day)T12:00:00Z"))
        let harness = try SendFaultHarness([
            "SLUICE_PACING_WARMUP_IDENTITIES": "example.com@\(day)", "SLUICE_PACING_WARMUP_INITIAL_DAILY": "1",
            "SLUICE_PACING_WARMUP_FACTOR": "2",
        ])
        harness.set(noon)  // a warm-up day cannot end mid-test
        // Today's one recipient is used up already (seeded from the send counters when the engine starts).
        try await harness.base.recordSends(identity: "example.com", count: 1, at: harness.now)
        try await harness.enqueue("msg_warm")
        harness.store.fail(.queuedMessage, id: "msg_warm", times: 1)
        let midnight = noon.addingTimeInterval(12 * 3600)
        let transport = ObservingTransport()
        try await harness.running(transport) {
            try await harness.waitUntil("msg_warm paced to the next day, or sent") {
                let row = try await harness.row("msg_warm")
                return row.state != .queued || row.nextAttemptAt >= midnight
            }
            let paced = try await harness.row("msg_warm")
            #expect(paced.state == .queued, "sent past its warm-up cap after a failed read")
            #expect(paced.attempts == 0)
            #expect(abs(paced.nextAttemptAt.timeIntervalSince(midnight)) < 1)
            #expect(transport.sends == 0)
            #expect(harness.store.calls(.claim, id: "msg_warm").isEmpty)
            // The next day the cap renews.
            harness.move(by: 86_400)
            let done = try await harness.waitForState("msg_warm", [.sent, .failed])
            #expect(done.state == .sent)
            #expect(done.attempts == 1)
        }
        #expect(transport.sends == 1)
        #expect(harness.store.calls(.queuedMessage, id: "msg_warm").filter(\.failed).count == 1)
        #expect(harness.store.calls(.markFailed, id: "msg_warm").isEmpty)
    }

    /// A transient failure of the read of a message whose paced slot has come (`dueGrants`: read apart from the due
    /// rows when older mail fills the short paced batch) keeps the slot: the message goes at it. Dropped, the slot
    /// was lost and the message waited behind every older row.
    @Test func transientReadOfADueGrantKeepsItsSlot() async throws {
        // One recipient every 2 s for example.net; one call at a time, 200 ms each, so 15 older ungrouped
        // messages keep the paced batch (in flight + 1) full for about 3 s.
        let harness = try SendFaultHarness(["SLUICE_PACING_GROUPS": "net:example.net=0.5", "SLUICE_SES_CONCURRENCY": "1"])
        let start = harness.now
        try await harness.enqueue("msg_first", to: ["first@example.net"], due: start.addingTimeInterval(-100))
        try await harness.enqueue("msg_second", to: ["second@example.net"], due: start.addingTimeInterval(-99))
        for i in 0..<15 { try await harness.enqueue("msg_older_\(i)", to: ["older\(i)@example.org"], due: start.addingTimeInterval(-50 + Double(i))) }
        let transport = ObservingTransport(callTime: .milliseconds(200))
        let store = harness.store
        try await harness.running(transport) {
            try await harness.waitUntil("msg_second deferred to its slot") { !store.calls(.deferQueued, id: "msg_second").isEmpty }
            // Its next read is the one of its due grant, 0.25 s (the lead) before the slot.
            store.fail(.queuedMessage, id: "msg_second", times: 1)
            try await harness.waitUntil("every message sent") { transport.sends == 17 }
        }
        #expect(store.calls(.queuedMessage, id: "msg_second").filter(\.failed).count == 1)
        #expect(store.calls(.deferQueued, id: "msg_second").count == 1, "backed off or deferred again")
        let order = transport.recipients
        let second = try #require(order.firstIndex(of: "second@example.net"))
        #expect(second < order.count - 3, "sent behind the older mail, not at its slot: \(order)")
    }
}
