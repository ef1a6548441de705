import Foundation
import SluiceCore

/// One instance's stretch of the shared send schedule, held from its reservation to the claim.
struct SharedReservation: Sendable {
    /// When the call may leave.
    let start: Date
    /// Length of the stretch from `start`.
    let seconds: TimeInterval
    /// Recipients the stretch was sized for.
    let recipients: Int
}

/// Several instances on one database (`SharedSendBudget`): one schedule at the account's rate and one
/// daily quota. The schedule stretch is reserved before the claim (the call must leave on time), the quota
/// right after the claim commits, so a claim lost to another instance costs no quota, and its stretch is
/// kept (`ScheduleSpares`) for this instance's next send instead of being wasted.
extension SendEngine {
    /// The shared budget's name: one per SES account (the database serves one account).
    static let budgetName = "ses"

    /// Reserves a stretch of the shared schedule at the account's rate (an unused stretch of this instance's
    /// first), then waits (unclaimed) until it is within the reservation lead, so a claim never sits in
    /// `sending` past its lease.
    func reserveSharedSlot(_ recipients: Int, in budget: any SharedSendBudget) async throws -> SharedReservation {
        let n = max(1, recipients)
        let rate = max(await limiter.currentRate, 0.01)
        // Spaced as the local cap window (rate per 1.02 s), not 1/rate: slots exactly 1/rate apart put rate+1
        // calls into one second as SES measures it whenever one call travels a little slower than the next.
        let cost = Double(n) * SendRateLimiter.windowLength / rate
        let now = context.now()
        var start: Date
        if let spare = spares.withLock({ $0.take(cost, now: now) }) {
            start = spare
        } else {
            start = try await budget.reserveSendSlot(name: Self.budgetName, seconds: cost, at: now)
        }
        // The schedule is kept in the instances' wall clocks: after this clock stepped back (or behind another
        // instance's), it lies the step ahead and every send would wait the step out. Beyond what the
        // instances' calls in flight can explain, send on this instance's own pace instead.
        let plausible = Self.plausibleScheduleLead(cost: cost, concurrency: configuration.concurrency)
        if start.timeIntervalSince(now) > plausible {
            warnScheduleAhead(start.timeIntervalSince(now))
            start = now.addingTimeInterval(cost)
        }
        let reservation = SharedReservation(start: start, seconds: cost, recipients: n)
        let early = start.timeIntervalSince(context.now()) - configuration.reservationLead
        if early > 0 {
            do {
                try await Task.sleep(for: .seconds(early))
            } catch {
                giveBack(reservation, keeping: 0)
                throw error
            }
        }
        return reservation
    }

    /// Instances sharing the schedule the clamp in `reserveSharedSlot` allows for: each may hold `concurrency`
    /// reservations ahead of its calls.
    static let plausibleInstances = 16

    /// How far ahead of now a shared slot may lie before it is taken for a clock step rather than a queue of
    /// reservations: `plausibleInstances` × `concurrency` sends of `cost`, and a minute at least.
    static func plausibleScheduleLead(cost: TimeInterval, concurrency: Int) -> TimeInterval {
        max(60, Double(plausibleInstances * max(1, concurrency)) * cost)
    }

    /// Counts a schedule clamp, and logs one at most once a minute.
    private func warnScheduleAhead(_ lead: TimeInterval) {
        context.metrics.count("sluice_send_schedule_clamps_total", help: "Shared send slots found implausibly far ahead (clock stepped back or skewed) and not waited for.")
        let now = ContinuousClock.now
        let due = scheduleWarning.withLock { last in
            guard last.map({ now - $0 >= .seconds(60) }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        context.logger.warning("shared send schedule lies far ahead of this clock (stepped back or skewed?): sending at this instance's pace", metadata: [
            "send.schedule_lead_seconds": "\(Int(lead))",
        ])
    }

    /// Reserves `recipients` of the shared daily quota for the message just claimed. When the quota has no
    /// room (or the store fails), the message goes back to `queued` (attempt not counted), the limiter holds
    /// all sending until the ledger says there may be room (at most a minute), and this returns false.
    func reserveSharedQuota(_ recipients: Int, claimed id: String, at now: Date, in budget: any SharedSendBudget) async -> Bool {
        let limit = await limiter.quotaLimit
        let retryAfter: TimeInterval
        do {
            switch try await budget.reserveSend(name: Self.budgetName, seconds: 0, recipients: recipients, dailyLimit: limit, at: now) {
            case .granted:
                return true
            case .refused(let used, let wait):
                retryAfter = wait
                context.metrics.count("sluice_send_quota_waits_total", help: "Sends held because the shared daily quota had no room.")
                context.logger.debug("shared daily quota has no room: sending waits", metadata: [
                    "send.quota_used": "\(used)", "send.quota_limit": "\(limit)", "send.wait_seconds": "\(wait)",
                ])
            }
        } catch {
            retryAfter = 1
            context.logger.warning("cannot reserve the shared daily quota; the message stays queued", metadata: [
                "send.message_id": "\(id)", "error": "\(error)",
            ])
        }
        await limiter.block(until: now.addingTimeInterval(retryAfter))
        await releaseClaim(id: id, at: now, heldBack: "by the daily quota")
        return false
    }

    /// Keeps what a stretch did not use beyond `kept` recipients for this instance's next send.
    func giveBack(_ reservation: SharedReservation?, keeping kept: Int) {
        guard let reservation else { return }
        let kept = min(max(0, kept), reservation.recipients)
        guard kept < reservation.recipients else { return }
        let usedSeconds = reservation.seconds * Double(kept) / Double(reservation.recipients)
        spares.withLock { $0.add(start: reservation.start.addingTimeInterval(usedSeconds), seconds: reservation.seconds - usedSeconds) }
    }

    /// Gives quota back for recipients SES refused (it did not send them).
    func returnSharedQuota(_ recipients: Int, reservedAt: Date, in budget: any SharedSendBudget) async {
        do {
            try await budget.returnSend(name: Self.budgetName, recipients: recipients, reservedAt: reservedAt)
        } catch {
            // Conservative: the recipients stay counted until their bucket expires.
            context.logger.warning("cannot give back unused daily quota", metadata: ["error": "\(error)"])
        }
    }

    /// The shared ledger's running total, read before `GetAccount` (nil without a shared budget).
    func quotaMark() async -> Int64? {
        guard let budget = sharedBudget else { return nil }
        do {
            return try await budget.sendQuotaMark(name: Self.budgetName)
        } catch {
            context.logger.warning("cannot read the shared quota mark; SES's figure is not recorded this time", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Records SES's `SentLast24Hours` in the shared ledger (`SharedQuotaRule`).
    func seedSharedQuota(_ sentLast24Hours: Double?, mark: Int64?, askedAt: Date) async {
        guard let budget = sharedBudget, let mark, let sent = sentLast24Hours, sent.isFinite, sent >= 0 else { return }
        do {
            try await budget.seedSendQuota(name: Self.budgetName, seed: QuotaSeed(sentLast24Hours: Int(sent), mark: mark, at: askedAt))
        } catch {
            context.logger.warning("cannot record SES's SentLast24Hours in the shared quota", metadata: ["error": "\(error)"])
        }
    }
}
