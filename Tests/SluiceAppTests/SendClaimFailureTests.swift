import Foundation
import SluiceCore
import SluiceTestSupport
import Testing
@testable import SluiceApp

/// A claim whose store call fails is left to crash recovery; it is never "put back" in a way that could undo
/// a newer claim.
///
/// Why: SES has no idempotency key, so one message must never be held by two live claims. A claim can commit
/// without the engine learning it (a WAL sync failing after the commit, a lost PostgreSQL reply). Its stamp is
/// then unknown, so the engine must not return the row to `queued` (`SendEngine.claim`'s catch). And a release
/// (`releaseClaim`) that fails is retried only for the engine's own claim (its `claimed_at`), or given up.
/// Either way the row stays `sending` until crash recovery, which waits `inflightRecoveryAge`
/// (3 × `ses.request_timeout_seconds`), resolves it per `ses.inflight_resolution`: `fail` (never mailed, at most
/// once) or `resend` (mailed once, later). Each test runs a real `SendEngine` on a real SQLite file behind
/// `FaultInjectingStore`.
@Suite(.serialized)
struct SendClaimFailureTests {
    /// The claim commits but the store reports an error: the engine makes no SES call and no put-back (no
    /// `requeue`, `markFailed` or `markSent` of its own on the row). The row stays `sending` until its claim is
    /// `inflightRecoveryAge` old, not before, and is then failed as `outcome_unknown` (`fail`: never mailed) or
    /// queued again and sent once (`resend`).
    @Test(arguments: InflightResolution.allCases)
    func claimThatFailsAfterCommittingIsLeftToCrashRecovery(_ resolution: InflightResolution) async throws {
        let harness = try SendFaultHarness(["SLUICE_SES_INFLIGHT_RESOLUTION": resolution.rawValue])
        let age = harness.gate.inflightRecoveryAge
        #expect(harness.gate.inflightResolution == resolution)
        #expect(age == 3 * harness.gate.requestTimeout)
        try await harness.enqueue("msg_claim")
        harness.store.fail(.claim, id: "msg_claim", times: 1, timing: .after, with: StoreError(.io, "injected: the commit's reply was lost"))
        let transport = ObservingTransport()
        try await harness.running(transport) {
            try await harness.waitUntil("the failed claim") { harness.logs.contains("claim failed and may have committed") }
            try await harness.waitForRecoveryPasses()
            let held = try await harness.row("msg_claim")
            #expect(held.state == .sending, "the committed claim was undone")
            #expect(held.attempts == 1)
            // Just short of the recovery age: still left alone.
            harness.move(by: age - 5)
            try await harness.waitForRecoveryPasses()
            #expect(try await harness.row("msg_claim").state == .sending, "recovered before its lease ran out")
            #expect(transport.prepares.load(ordering: .relaxed) == 0 && transport.sends == 0, "called SES on a claim it never saw")
            harness.move(by: 10)
            let done = try await harness.waitForState("msg_claim", [.failed, .sent])
            switch resolution {
            case .fail:
                #expect(done.state == .failed)
                #expect(done.error?.hasPrefix("outcome_unknown") == true, "\(done.error ?? "")")
                #expect(done.attempts == 1)
            case .resend:
                #expect(done.state == .sent)
                #expect(done.attempts == 2, "the lost claim's attempt and the resend's")
            }
        }
        #expect(harness.store.calls(.requeue, id: "msg_claim").isEmpty, "a failed claim was put back")
        #expect(harness.store.calls(.markFailed, id: "msg_claim").isEmpty)
        #expect(transport.sends == (resolution == .resend ? 1 : 0))
        #expect(harness.store.calls(.claim, id: "msg_claim").count == (resolution == .resend ? 2 : 1))
    }

    /// The other half of the doubt: the claim fails without committing. Still no put-back (nothing to put back),
    /// and the row, still `queued`, is claimed again after the step's back-off and sent once, its first attempt.
    @Test func claimThatFailsWithoutCommittingIsClaimedAgainLater() async throws {
        let harness = try SendFaultHarness()
        try await harness.enqueue("msg_unclaimed")
        harness.store.fail(.claim, id: "msg_unclaimed", times: 1, timing: .before, with: StoreError(.io, "injected: the write failed"))
        let transport = ObservingTransport()
        try await harness.running(transport) {
            let done = try await harness.waitForState("msg_unclaimed", [.sent, .failed])
            #expect(done.state == .sent)
            #expect(done.attempts == 1)
        }
        #expect(harness.store.calls(.claim, id: "msg_unclaimed").map(\.failed) == [true, false])
        #expect(harness.store.calls(.requeue, id: "msg_unclaimed").isEmpty)
        #expect(transport.sends == 1)
    }

    /// The claim grows too old before its call (a slow credential fetch) and its release is refused for good (a
    /// constraint error, which `recordRetrying` does not retry): no SES call, one try to release and no other
    /// change; the row stays `sending` until the recovery age, then is resolved per `ses.inflight_resolution`.
    @Test(arguments: InflightResolution.allCases)
    func releaseRefusedForGoodIsLeftToCrashRecovery(_ resolution: InflightResolution) async throws {
        let harness = try SendFaultHarness(["SLUICE_SES_INFLIGHT_RESOLUTION": resolution.rawValue])
        let (window, age) = (harness.gate.claimCallWindow, harness.gate.inflightRecoveryAge)
        try await harness.enqueue("msg_release")
        harness.store.fail(.requeue, id: "msg_release", times: 1, with: StoreError(.constraint, "injected: refused for good"))
        let transport = ObservingTransport(onPrepare: { n in if n == 1 { harness.move(by: window + 1) } })
        try await harness.running(transport) {
            try await harness.waitUntil("the release given up") { harness.logs.contains("cannot release a claim held too long; the store refuses it for good") }
            try await harness.waitForRecoveryPasses()
            let held = try await harness.row("msg_release")
            #expect(held.state == .sending)
            #expect(held.attempts == 1)
            // The claim is now `window + 1` old; just short of the recovery age it is still left alone.
            harness.move(by: age - window - 5)
            try await harness.waitForRecoveryPasses()
            #expect(try await harness.row("msg_release").state == .sending, "recovered before its lease ran out")
            #expect(transport.sends == 0)
            harness.move(by: 10)
            let done = try await harness.waitForState("msg_release", [.failed, .sent])
            switch resolution {
            case .fail:
                #expect(done.state == .failed)
                #expect(done.error?.hasPrefix("outcome_unknown") == true, "\(done.error ?? "")")
            case .resend:
                #expect(done.state == .sent)
                #expect(done.attempts == 2)
            }
        }
        let releases = harness.store.calls(.requeue, id: "msg_release")
        #expect(releases.count == 1, "a release refused for good was tried again")
        #expect(releases.allSatisfy { $0.failed && $0.claimedAt != nil }, "a release must name its own claim")
        #expect(harness.store.calls(.markFailed, id: "msg_release").isEmpty)
        #expect(transport.sends == (resolution == .resend ? 1 : 0))
    }

    /// A release that fails for a while is retried, but only for the engine's own claim: when another instance
    /// has meanwhile recovered the row (its lease ran out) and claimed it, the retried release changes nothing.
    /// A put-back matching any claim would return the rival's live claim to `queued`, and this engine would
    /// claim and send the message again: sent twice.
    @Test func retriedReleaseNeverUndoesAnotherInstancesClaim() async throws {
        let harness = try SendFaultHarness()
        let (window, age) = (harness.gate.claimCallWindow, harness.gate.inflightRecoveryAge)
        try await harness.enqueue("msg_rival")
        harness.store.fail(.requeue, id: "msg_rival", times: .max)  // busy: retried while it lasts
        let transport = ObservingTransport(onPrepare: { n in if n == 1 { harness.move(by: window + 1) } })
        var ours: Date?
        try await harness.running(transport) {
            try await harness.waitUntil("two failed releases") { harness.store.calls(.requeue, id: "msg_rival").count >= 2 }
            let stamp: Date = try #require(try await harness.row("msg_rival").claimedAt)
            ours = stamp
            // Past the lease: this engine's own recovery leaves the claim alone while it holds it.
            harness.move(by: age)
            try await harness.waitForRecoveryPasses()
            #expect(try await harness.row("msg_rival").state == .sending)
            // Another instance's recovery (which does not know the claim is held) takes it, and that instance claims it.
            let rivalAt = harness.now
            #expect(try await harness.base.recoverInflight(claimedBefore: rivalAt, resolution: .resend, excluding: [], at: rivalAt) == 1)
            #expect(try await harness.base.claim(id: "msg_rival", dropping: [], message: nil, at: rivalAt))
            harness.store.clearFaults()
            try await harness.waitUntil("the release tried again") { harness.store.calls(.requeue, id: "msg_rival").contains { !$0.failed } }
            // Several dispatch and recovery passes: the engine would claim the row now were it queued.
            try await harness.waitForRecoveryPasses(5)
            let row = try await harness.row("msg_rival")
            #expect(row.state == .sending, "the retried release undid another instance's claim")
            #expect(row.attempts == 2)
            #expect(abs((row.claimedAt ?? .distantPast).timeIntervalSince(rivalAt)) < 0.01)
            // The rival records its own outcome.
            #expect(try await harness.base.markSent(
                id: "msg_rival", sesMessageId: "ses-rival", outbox: nil, counting: nil, claimedAt: rivalAt, at: rivalAt))
        }
        #expect(transport.sends == 0, "this engine called SES for a message another instance had claimed")
        let releases = harness.store.calls(.requeue, id: "msg_rival")
        let own = try #require(ours)
        #expect(releases.allSatisfy { $0.claimedAt.map { abs($0.timeIntervalSince(own)) < 0.01 } ?? false }, "a release not bound to its own claim")
        #expect(try await harness.row("msg_rival").state == .sent)
    }
}
