import Foundation
import SluiceCore

/// Messages that fail before their claim: a due row is listed again every pass, so a step that keeps failing on
/// it (an unreadable payload, a store error on that row) would otherwise run again every poll, forever.
extension SendEngine {
    /// Longest wait before a message whose step failed is tried again, in seconds.
    static let maxStepBackoff = 60
    /// Failures remembered at most (the oldest are forgotten first; forgetting only means an earlier retry).
    static let maxStepFailures = 10_000

    /// Whether the dispatcher leaves `id` alone for now after its step failed.
    func isBackingOff(_ id: String) -> Bool {
        stepFailures.withLock { $0[id].map { $0.until > ContinuousClock.now } ?? false }
    }

    /// Seconds a message is left alone after `failures` failed steps in a row: 1, doubling up to `maxStepBackoff`.
    static func stepBackoff(failures: Int) -> Int {
        min(maxStepBackoff, 1 << min(max(0, failures - 1), 6))
    }

    /// Forgets an earlier failure of `id` (its row was read fine).
    func forgetStepFailure(_ id: String) {
        _ = stepFailures.withLock { $0.removeValue(forKey: id) }
    }

    /// A step of `id` failed before its claim: it stays queued and is left alone for 1 s, doubling up to
    /// `maxStepBackoff`, made due that much later in the store too (so with pacing's short batches, rows backing
    /// off do not fill every batch). A row found unreadable (`StoreError.corrupt`) twice in a row cannot be sent
    /// at all, and is failed with that reason.
    func stepFailed(_ id: String, error: any Error) async {
        let corrupt = (error as? StoreError)?.code == .corrupt
        let now = ContinuousClock.now
        let failure = stepFailures.withLock { failures in
            if failures.count >= Self.maxStepFailures, failures[id] == nil {
                if let oldest = failures.min(by: { $0.value.until < $1.value.until })?.key { failures[oldest] = nil }
            }
            var failure = failures[id] ?? StepFailure(count: 0, until: now, corruptReads: 0)
            failure.count += 1
            failure.until = now + .seconds(Self.stepBackoff(failures: failure.count))
            failure.corruptReads = corrupt ? failure.corruptReads + 1 : 0
            failures[id] = failure
            return failure
        }
        if failure.corruptReads >= 2 {
            forgetStepFailure(id)
            await failUnsendable(id, error: "payload_unreadable: the stored message cannot be read (\(error)); not sent")
            return
        }
        // Best effort: the in-memory backoff holds it back in this process anyway.
        let later = [id: dueNow().addingTimeInterval(TimeInterval(Self.stepBackoff(failures: failure.count)))]
        _ = try? await context.store.deferQueued(later, at: context.now())
        // Not "stays queued": a claim that committed unseen (its call threw) leaves the row claimed, for crash recovery.
        context.logger.warning("send step failed before the SES call; tried again later", metadata: [
            "send.message_id": "\(id)", "send.step_failures": "\(failure.count)", "error": "\(error)",
        ])
    }

    /// Fails a queued message that can never be sent: claimed (which needs no payload) and marked failed with
    /// `error`, the attempt counted.
    func failUnsendable(_ id: String, error: String) async {
        let store = context.store, now = context.now()
        let claim: QueueClaim?
        do {
            claim = try await store.claim(
                id: id, dropping: [], message: nil, at: now, dueBy: dueNow().addingTimeInterval(configuration.reservationLead), clock: .store)
        } catch {
            context.logger.warning("cannot fail an unsendable message; it stays queued", metadata: ["send.message_id": "\(id)", "error": "\(error)"])
            return
        }
        guard let claim else { return }
        let failed = await recordRetrying("cannot fail an unsendable message", id: id) {
            _ = try await store.markFailed(id: id, error: error, claimedAt: claim.claimedAt, at: now)
        }
        guard failed else { return }
        context.metrics.count("sluice_send_messages_total", help: "Messages finished by the send gate, by outcome.", labels: ["outcome": "failed"])
        context.logger.warning("message can never be sent; failed", metadata: ["send.message_id": "\(id)", "send.reason": "\(error)"])
    }
}
