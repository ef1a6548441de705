import Foundation
import SluiceCore

/// The claimant's half of the crash-recovery contract: other instances resolve a claim once it is older than
/// `inflightRecoveryAge`, which holds only if the SES call starts within `claimCallWindow` of the claim.
extension SendEngine {
    /// Whether the claim on `id` is young enough for its SES call now. An older one (the way from claim to call
    /// stalled) is released instead: back to `queued` without counting the attempt, its daily quota (shared
    /// and local) given back, and false returned, so nothing is sent.
    func claimIsCallable(id: String, message: OutboundMessage, quotaAt: Date?, counted: SendRateLimiter.Reservation?) async -> Bool {
        let now = context.now()
        guard let claimedAt = claimTimes.withLock({ $0[id] }) else { return true }
        let age = now.timeIntervalSince(claimedAt)
        guard age > configuration.claimCallWindow else { return true }
        context.metrics.count("sluice_send_claims_released_total", help: "Claims released without an SES call: held too long before it.")
        context.logger.warning("claim held too long before its SES call; released without calling", metadata: [
            "send.message_id": "\(id)", "send.claim_age_seconds": "\(age)", "send.claim_call_window_seconds": "\(configuration.claimCallWindow)",
        ])
        await returnDailyQuota(of: message, quotaAt: quotaAt, counted: counted)
        await releaseClaim(id: id, at: now, heldBack: "held too long")
        return false
    }

    /// Puts a claimed message back to `queued`, due now, its attempt not counted: no SES call was made.
    /// If that fails it stays `sending`, and crash recovery resolves it after `inflightRecoveryAge`.
    func releaseClaim(id: String, at now: Date, heldBack reason: String) async {
        let store = context.store, claimedAt = claimTimes.withLock { $0[id] }
        await recordRetrying("cannot release a claim \(reason)", id: id) {
            _ = try await store.requeue(id: id, nextAttemptAt: now, error: nil, countAttempt: false, claimedAt: claimedAt, at: now)
        }
    }

    /// Gives back the daily quota of a claimed message that was not sent (released, or refused by SES): the
    /// shared ledger's reservation (made at `quotaAt`) and the local count's (`counted`).
    func returnDailyQuota(of message: OutboundMessage, quotaAt: Date?, counted: SendRateLimiter.Reservation?) async {
        if let quotaAt, let budget = sharedBudget { await returnSharedQuota(message.recipients.count, reservedAt: quotaAt, in: budget) }
        if let counted { await limiter.giveBack(counted, keeping: 0) }
    }
}
