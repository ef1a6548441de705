import Foundation
import SluiceCore

/// The claimant's half of the crash-recovery contract: other instances resolve a claim once it is older than
/// `inflightRecoveryAge`, which holds only if the SES call starts within `claimCallWindow` of the claim. And the
/// last checks before a call: the claim's age, and suppressions added since the claim.
extension SendEngine {
    /// Whether the claim on `id` is young enough for its SES call now. An older one (the way from claim to call
    /// stalled) is released instead: back to `queued` without counting the attempt, its daily quota (shared
    /// and local) given back, and false returned, so nothing is sent.
    func claimIsCallable(id: String, message: OutboundMessage, quotaAt: Date?, counted: SendRateLimiter.Reservation?) async -> Bool {
        let now = context.now()
        guard let claimedAt = claims.withLock({ $0[id]?.at }) else { return true }
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
    /// Retried like an outcome (`recordRetrying`): left `sending`, crash recovery would take it for an
    /// interrupted call (and with `inflight_resolution = fail`, fail it unsent).
    func releaseClaim(id: String, at now: Date, heldBack reason: String) async {
        let store = context.store, stamp = claims.withLock { $0[id]?.stamp }
        await recordRetrying("cannot release a claim \(reason)", id: id) {
            _ = try await store.requeue(id: id, nextAttemptAt: now, error: nil, countAttempt: false, claimedAt: stamp, at: now)
        }
    }

    /// Gives back the daily quota of a claimed message that was not sent (released, or refused by SES): the
    /// shared ledger's reservation (made at `quotaAt`) and the local count's (`counted`).
    func returnDailyQuota(of message: OutboundMessage, quotaAt: Date?, counted: SendRateLimiter.Reservation?) async {
        if let quotaAt, let budget = sharedBudget { await returnSharedQuota(message.recipients.count, reservedAt: quotaAt, in: budget) }
        if let counted { await limiter.giveBack(counted, keeping: 0) }
    }

    /// Re-checks the recipients against the suppression list right before the call when the claim's check is
    /// older than `suppressionRecheckAge` (the claim, the shared quota, the wait for the slot and the credentials
    /// may take seconds on PostgreSQL). A recipient suppressed since, or a check that fails, releases the claim
    /// (not called, attempt and quota given back): the next claim drops the suppressed recipients, as every
    /// claim does. Returns whether the call may go ahead.
    func suppressionsStillAllow(id: String, message: OutboundMessage, quotaAt: Date?, counted: SendRateLimiter.Reservation?) async -> Bool {
        guard let checkedAt = claims.withLock({ $0[id]?.suppressionsCheckedAt }),
              context.now().timeIntervalSince(checkedAt) > configuration.suppressionRecheckAge
        else { return true }
        let reason: String
        do {
            guard try await !suppressedRecipients(of: message).isEmpty else { return true }
            reason = "a recipient was suppressed since the claim"
        } catch {
            reason = "the suppression list cannot be read"
            context.logger.warning("suppressions cannot be re-checked before the SES call; claim released", metadata: [
                "send.message_id": "\(id)", "error": "\(error)",
            ])
        }
        context.metrics.count("sluice_send_claims_rechecked_total", help: "Claims released right before the SES call by the suppression re-check.")
        await returnDailyQuota(of: message, quotaAt: quotaAt, counted: counted)
        await releaseClaim(id: id, at: context.now(), heldBack: "(\(reason))")
        return false
    }

    /// The recipients of `message` that are suppressed now, with their reasons.
    func suppressedRecipients(of message: OutboundMessage) async throws -> [DroppedRecipient] {
        var keys: [String: String] = [:]
        for address in message.recipients {
            if let normalized = context.normalizer.normalize(address)?.normalized { keys[address] = normalized }
        }
        let found = try await context.store.suppressed(among: Array(Set(keys.values)), scope: message.list, at: context.now())
        guard !found.isEmpty else { return [] }
        return message.recipients.compactMap { address in
            guard let key = keys[address], let suppression = found[key] else { return nil }
            return DroppedRecipient(address: address, reason: suppression.reason.rawValue)
        }
    }
}
