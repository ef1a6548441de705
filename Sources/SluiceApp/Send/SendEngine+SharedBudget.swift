import Foundation
import SluiceCore

/// One instance's hold on the shared schedule and daily quota, from the reservation to the claim.
struct SharedReservation: Sendable {
    /// When the call may leave.
    let start: Date
    /// Length of the schedule stretch held from `start`.
    let seconds: TimeInterval
    /// Recipients reserved in the daily quota.
    let recipients: Int
    /// When the quota was reserved (its ledger bucket).
    let reservedAt: Date
}

extension SendEngine {
    /// The shared budget's name: one per SES account (the database serves one account).
    static let budgetName = "ses"

    /// Reserves the daily quota and a stretch of the shared schedule at the account's rate (an unused stretch
    /// of this instance's first, then a new one), then waits (unclaimed) until the stretch is within the
    /// reservation lead, so a claim never sits in `sending` past its lease. nil when the daily quota has no room:
    /// the limiter then holds all sending until the ledger says there may be (at most a minute).
    func reserveShared(_ recipients: Int, in budget: any SharedSendBudget) async throws -> SharedReservation? {
        let n = max(1, recipients)
        let rate = max(await limiter.currentRate, 0.01)
        // Spaced as the local cap window (rate per 1.02 s), not 1/rate: slots exactly 1/rate apart put rate+1
        // calls into one second as SES measures it whenever one call travels a little slower than the next.
        let cost = Double(n) * SendRateLimiter.windowLength / rate
        let limit = await limiter.quotaLimit
        let now = context.now()
        let spare = spares.withLock { $0.take(cost, now: now) }
        let grant = try await budget.reserveSend(
            name: Self.budgetName, seconds: spare == nil ? cost : 0, recipients: n, dailyLimit: limit, at: now)
        let start: Date
        switch grant {
        case .granted(let granted):
            start = spare ?? granted
        case .refused(let used, let retryAfter):
            if let spare { spares.withLock { $0.add(start: spare, seconds: cost) } }
            await limiter.block(until: now.addingTimeInterval(retryAfter))
            context.metrics.count("sluice_send_quota_waits_total", help: "Sends held because the shared daily quota had no room.")
            context.logger.debug("shared daily quota has no room: sending waits", metadata: [
                "send.quota_used": "\(used)", "send.quota_limit": "\(limit)", "send.wait_seconds": "\(retryAfter)",
            ])
            return nil
        }
        let reservation = SharedReservation(start: start, seconds: cost, recipients: n, reservedAt: now)
        let early = start.timeIntervalSince(context.now()) - configuration.reservationLead
        if early > 0 {
            do {
                try await Task.sleep(for: .seconds(early))
            } catch {
                await giveBack(reservation, keeping: 0)
                throw error
            }
        }
        return reservation
    }

    /// Gives back what a reservation did not use beyond `kept` recipients: the rest of its schedule stretch
    /// stays with this instance for the next send, the recipients go back to the shared daily quota.
    func giveBack(_ reservation: SharedReservation?, keeping kept: Int) async {
        guard let reservation, let budget = sharedBudget else { return }
        let kept = min(max(0, kept), reservation.recipients)
        let unused = reservation.recipients - kept
        guard unused > 0 else { return }
        let usedSeconds = reservation.seconds * Double(kept) / Double(reservation.recipients)
        spares.withLock { $0.add(start: reservation.start.addingTimeInterval(usedSeconds), seconds: reservation.seconds - usedSeconds) }
        do {
            try await budget.returnSend(name: Self.budgetName, recipients: unused, reservedAt: reservation.reservedAt)
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
