import Foundation
import Logging
import SluiceAWS
import SluiceCore
import Synchronization

/// Drains the durable queue into SES: claims due messages, paces them (`SendRateLimiter`), re-checks
/// suppressions and the pause state right before each call, and records every outcome.
///
/// Delivery window: a message is committed as `sending` (at most `reservationLead` before its reserved send
/// time) before its SES call, and as `sent`/`failed`/`queued` after it. Only a crash between that first commit
/// and the outcome commit leaves doubt (SES has no idempotency key); such rows are resolved once their claim is
/// older than `inflightRecoveryAge` (3 × `requestTimeout`) per `inflightResolution`: `fail` (default,
/// at-most-once: state `failed`, error `outcome_unknown…`) or `resend` (at-least-once: back to `queued`). So that
/// recovery (on any instance) never takes a live call for a crashed one, a claim older than `claimCallWindow`
/// (`requestTimeout`) when its call is due is released without calling. Calls already claimed finish on shutdown.
///
/// Daily quota: recipients are counted when their send time is reserved, and given back when they are not
/// sent after all: the claim comes to nothing (paused, taken, every recipient suppressed), suppressed
/// recipients are dropped at the claim, the step ends in an error or cancellation before the call, or SES
/// answers with a refusal (any decision but `retryable`: a timeout, 5xx or network error may have sent).
struct SendWorker: BackgroundWorker {
    let name = "send"
    let context: AppContext
    let environment: [String: String]
    var configuration: SendGateConfiguration
    /// Tests inject a transport; otherwise it comes from `ses.transport` and the credential chain.
    var transport: (any SendTransport)?

    init(context: AppContext, environment: [String: String], configuration: SendGateConfiguration? = nil, transport: (any SendTransport)? = nil) {
        self.context = context
        self.environment = environment
        self.configuration = configuration ?? SendGateConfiguration(configuration: context.configuration)
        self.transport = transport
    }

    func run() async {
        let chosen: any SendTransport
        if let transport {
            chosen = transport
        } else {
            chosen = await SendTransportFactory.make(configuration: configuration, environment: environment, logger: context.logger)
        }
        let engine = SendEngine(context: context, configuration: configuration, transport: chosen)
        await engine.run()
    }
}

/// The worker's running state: the limiter, calls in flight, and the loops.
final class SendEngine: Sendable {
    let context: AppContext
    let configuration: SendGateConfiguration
    let transport: any SendTransport
    let limiter: SendRateLimiter
    let machine: QueueStateMachine
    /// Per-ISP pacing and warm-up (`pacing.*`).
    let pacing: PacingGate
    private let inflight = Mutex<Set<String>>([])
    /// Messages whose task ended since the current pass listed the due ones: the list may be stale for them
    /// (tried and put back with a backoff), so the pass leaves them to the next one instead of spending a
    /// rate slot on a claim the store refuses.
    private let finishedSinceListing = Mutex<Set<String>>([])
    /// How long sending waits for AWS credentials, growing while they stay unusable.
    private let credentialsOutage = Mutex(CredentialsOutage())
    /// The account-wide rate and daily quota when several instances share the store (PostgreSQL).
    let sharedBudget: (any SharedSendBudget)?
    /// Stretches of the shared schedule reserved but not used (lost claims), reused before reserving anew.
    let spares = Mutex(ScheduleSpares())
    /// When each message this engine claimed was claimed (its `claimed_at`), until its task ends.
    let claimTimes = Mutex<[String: Date]>([:])

    init(context: AppContext, configuration: SendGateConfiguration, transport: any SendTransport) {
        self.context = context
        self.configuration = configuration
        self.transport = transport
        self.machine = configuration.stateMachine
        let rate = configuration.configuredMaxSendRate > 0 ? configuration.configuredMaxSendRate : configuration.fallbackMaxSendRate
        // Until GetAccount answers: the configured daily limit, else unlimited (the per-second rate still holds).
        let daily = configuration.configuredMax24HourSend != 0 ? Double(configuration.configuredMax24HourSend) : -1
        sharedBudget = context.store as? any SharedSendBudget
        limiter = SendRateLimiter(maxSendRate: rate, max24HourSend: daily, sharedQuota: sharedBudget != nil, now: context.now)
        pacing = PacingGate(configuration: context.configuration, now: context.now())
    }

    func run() async {
        context.logger.info("send worker started", metadata: [
            "send.transport": "\(transport.kind)", "send.inflight_resolution": "\(configuration.inflightResolution.rawValue)",
        ])
        await seedPacing()
        await adoptStoredQuota()
        await withDiscardingTaskGroup { group in
            group.addTask { await self.refreshAccountLoop() }
            group.addTask { await self.housekeepingLoop() }
            await dispatchLoop(group: &group)
        }
    }

    // MARK: Dispatch

    private func dispatchLoop(group: inout DiscardingTaskGroup) async {
        while !Task.isCancelled {
            let start = ContinuousClock.now
            let dispatched = await dispatchOnce(group: &group)
            if dispatched == 0 { try? await Task.sleep(for: Self.idleWait(afterPass: ContinuousClock.now - start, poll: configuration.pollInterval)) }
        }
    }

    /// The pause after a pass that started nothing: the poll interval, or longer when the pass itself was
    /// slow, so idle passes take at most a tenth of the time. A pass can be slow with nothing to start: a
    /// paused identity's due backlog is walked in the index each time (~70 ms for 100k rows).
    static func idleWait(afterPass pass: Duration, poll: Duration) -> Duration {
        max(poll, pass * 9)
    }

    /// Starts a send task for each due message not already in flight; returns how many started.
    private func dispatchOnce(group: inout DiscardingTaskGroup) async -> Int {
        let state: SendingControl.State
        let ready: [ReadyMessage]
        do {
            state = try await context.sending.state()
            if state.paused { return 0 }
            // With pacing, short batches: a pass blocked on a long batch would not see paced mail come due.
            // (Rows already in flight are still `queued` until claimed, so they count on top.)
            let batch = pacing.isEnabled ? inflight.withLock { $0.count } + min(8, max(1, configuration.concurrency)) : 256
            // Paused identities are left out by the query: their backlog would otherwise fill every batch and
            // hold back the other identities' mail until a resume.
            finishedSinceListing.withLock { $0.removeAll() }
            let due = try await context.store.readyMessages(
                at: context.now(), limit: batch, excludingIdentities: Set(state.pausedIdentities.keys))
            ready = await paced(due, excluding: inflight.withLock { $0 })
        } catch {
            context.logger.warning("send queue read failed; will retry", metadata: ["error": "\(error)"])
            try? await Task.sleep(for: .seconds(1))
            return 0
        }
        var started = 0
        for message in ready {
            if Task.isCancelled { break }
            // Paced grants come from outside the query; `process` re-checks the pause right before the claim.
            if state.pausedIdentities[message.identity] != nil { continue }
            // Bounded concurrency: wait for a free slot (short sleeps; slots free as calls finish).
            while inflight.withLock({ $0.count }) >= configuration.concurrency, !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(2))
            }
            if finishedSinceListing.withLock({ $0.contains(message.id) }) { continue }
            let fresh = inflight.withLock { $0.insert(message.id).inserted }
            guard fresh else { continue }
            started += 1
            group.addTask {
                await self.process(message)
                _ = self.finishedSinceListing.withLock { $0.insert(message.id) }
                // The claim time first: once the id leaves `inflight` a new task may claim it and set its own.
                self.claimTimes.withLock { $0[message.id] = nil }
                _ = self.inflight.withLock { $0.remove(message.id) }
            }
        }
        return started
    }

    // MARK: One message

    private func process(_ ready: ReadyMessage) async {
        let logger = context.logger
        // The shared schedule stretch, held until the claim: every way out before it keeps the stretch for reuse.
        var shared: SharedReservation?
        // The local reservation, held until the call: every way out before it gives its daily quota back.
        var local: SendRateLimiter.Reservation?
        do {
            guard try await context.sending.allowsSending(identity: ready.identity) else {
                await releaseWarmup(ready.id)
                return
            }
            // Per-ISP caps are checked at the account slot (an extra read only when pacing groups exist).
            var groups: [Int: (n: Int, cap: Int)] = [:]
            if !pacing.groups.isEmpty, let peek = try await context.store.queuedMessage(id: ready.id) {
                groups = pacing.limiterDemand(of: peek.message.recipients)
            }
            let reserved = try await limiter.reserve(ready.recipientCount, lead: configuration.reservationLead, groups: groups)
            local = reserved
            var slot = reserved.start
            if let budget = sharedBudget {
                let reservation = try await reserveSharedSlot(ready.recipientCount, in: budget)
                shared = reservation
                slot = max(slot, reservation.start)
            }
            guard let claimed = try await claim(ready) else {
                await giveBackUnclaimed(shared, local)
                await releaseWarmup(ready.id)
                return
            }
            let (queued, message) = claimed
            if pacing.isEnabled, message.recipients.count < queued.message.recipients.count {
                await pacing.settle(queued.id, recipients: message.recipients.count, now: context.now())
            }
            // Recipients suppressed at the claim are not sent: only the claimed ones stay counted.
            let counted = await limiter.giveBack(reserved, keeping: message.recipients.count)
            local = nil
            let quotaAt = sharedBudget == nil ? nil : context.now()
            if let budget = sharedBudget, let reservation = shared, let quotaAt {
                shared = nil
                // The daily quota only for what was claimed: a claim lost to another instance takes none.
                guard await reserveSharedQuota(message.recipients.count, claimed: queued.id, at: quotaAt, in: budget) else {
                    await giveBackUnclaimed(reservation, counted)
                    await releaseWarmup(queued.id)
                    return
                }
                giveBack(reservation, keeping: message.recipients.count)
            }
            // From the claim on, finish even when shutting down: the call is bounded by requestTimeout, and
            // recording its outcome is what keeps the duplicate/loss window small.
            let attempts = queued.attempts + 1
            let clock = context.now
            let sent = await Task {
                // Leave at the reserved time (bounded by the lead; a short sleep also ends early on shutdown).
                let wait = slot.timeIntervalSince(clock())
                if wait > 0 { try? await Task.sleep(for: .seconds(min(wait, self.configuration.reservationLead))) }
                return await self.call(id: queued.id, message: message, attempts: attempts, quotaAt: quotaAt, counted: counted)
            }.value
            if !sent { await releaseWarmup(queued.id) }
        } catch is CancellationError {
            await giveBackUnclaimed(shared, local)
            await releaseWarmup(ready.id)
            return
        } catch {
            await giveBackUnclaimed(shared, local)
            await releaseWarmup(ready.id)
            logger.warning("send step failed; the message stays queued", metadata: ["send.message_id": "\(ready.id)", "error": "\(error)"])
        }
    }

    /// Every way out of `process` before the call: the shared stretch is kept for reuse, the local daily
    /// quota given back.
    private func giveBackUnclaimed(_ shared: SharedReservation?, _ local: SendRateLimiter.Reservation?) async {
        giveBack(shared, keeping: 0)
        if let local { await limiter.giveBack(local, keeping: 0) }
    }

    /// Gives back a message's warm-up count when it is not sent this time: a retry or a later pass admits it
    /// again, so only recipients actually sent use up an identity's daily cap (`WarmupLedger`).
    private func releaseWarmup(_ id: String) async {
        guard pacing.isEnabled else { return }
        await pacing.release(id, now: context.now())
    }

    /// Re-checks pause and suppressions right before the call and claims the message; nil when it is not
    /// to be sent now (paused, taken by another instance, every recipient suppressed).
    private func claim(_ ready: ReadyMessage) async throws -> (QueuedMessage, OutboundMessage)? {
        guard try await context.sending.allowsSending(identity: ready.identity) else { return nil }
        guard let queued = try await context.store.queuedMessage(id: ready.id), queued.state == .queued else { return nil }
        // Suppression check again, right before the call: an address suppressed while queued is not mailed.
        let dropped = try await suppressedRecipients(of: queued.message)
        if !dropped.isEmpty, dropped.count == queued.message.recipients.count {
            _ = try await context.store.markSuppressed(id: queued.id, dropping: dropped, at: context.now())
            context.metrics.count("sluice_send_messages_total", help: "Messages finished by the send gate, by outcome.", labels: ["outcome": "suppressed"])
            return nil
        }
        let message = dropped.isEmpty ? queued.message : queued.message.removing(Set(dropped.map(\.address)))
        let claimedAt = context.now()
        // Due by the end of the lead: pacing grants a slot up to that much early and the call waits for it.
        let claimed: Bool
        do {
            claimed = try await context.store.claim(
                id: queued.id, dropping: dropped, message: dropped.isEmpty ? nil : message, at: claimedAt,
                dueBy: claimedAt.addingTimeInterval(configuration.reservationLead))
        } catch {
            // The claim may have committed unseen (a WAL sync that failed after, a lost PostgreSQL reply): put
            // back this claim only, its attempt uncounted, or crash recovery would fail as "outcome unknown"
            // a message SES never saw. Another instance's later claim has another claimed_at and is left alone.
            let store = context.store, now = context.now
            await recordRetrying("cannot put back a claim that may have committed", id: queued.id) {
                _ = try await store.requeue(
                    id: queued.id, nextAttemptAt: claimedAt, error: nil, countAttempt: false, claimedAt: claimedAt, at: now())
            }
            throw error
        }
        guard claimed else { return nil }
        claimTimes.withLock { $0[queued.id] = claimedAt }
        return (queued, message)
    }

    /// - Parameters:
    ///   - quotaAt: when the shared daily quota was reserved for it (nil without a shared budget).
    ///   - counted: its reservation in the local daily quota, given back when SES refuses the call.
    /// - Returns: whether the message counts as sent (SES may have sent it); false when it was retried,
    ///   failed, released or not called.
    private func call(id: String, message: OutboundMessage, attempts: Int, quotaAt: Date? = nil, counted: SendRateLimiter.Reservation?) async -> Bool {
        guard await claimIsCallable(id: id, message: message, quotaAt: quotaAt, counted: counted) else { return false }
        let request = SendRequestMapping.request(for: message)
        let result = await transport.send(request, at: context.now())
        let now = context.now()
        let action = machine.action(after: result.outcome, attempts: attempts, now: now, random: Double.random(in: 0..<1))
        if case .failed(.throttled, _) = result.outcome { await limiter.recordThrottle() }
        if case .failed(let decision, _) = result.outcome, decision != .retryable {
            // SES answered and did not send (a timeout or network error may have sent): the quota goes back.
            await returnDailyQuota(of: message, quotaAt: quotaAt, counted: counted)
        }
        let foundNoKeys = if case .failed(.unavailable, _) = result.outcome { true } else { false }
        if !foundNoKeys { credentialsOutage.withLock { $0.end() } }
        // The outcome is known here and nowhere else: a few tries before crash recovery has to guess.
        let claimedAt = claimTimes.withLock { $0[id] }
        await recordRetrying("cannot record send outcome", id: id) {
            try await self.apply(action, id: id, claimedAt: claimedAt, message: message, outbox: result.outbox, now: now)
        }
        if case .markSent = action { return true }
        return false
    }

    /// Records `action` in the queue for the claim made at `claimedAt` (and pauses or waits as it says).
    private func apply(_ action: QueueAction, id: String, claimedAt: Date?, message: OutboundMessage, outbox: String?, now: Date) async throws {
        let store = context.store
        let metrics = context.metrics
        func count(_ outcome: String) {
            metrics.count("sluice_send_messages_total", help: "Messages finished by the send gate, by outcome.", labels: ["outcome": outcome])
        }
        switch action {
        case .markSent(let sesMessageId):
            // Only what SES accepted counts towards the rates (not outbox records); the counter commits with
            // the state change.
            // Simulator mailboxes are left out, as SES leaves them out of its rates.
            let counted = message.recipients.count { !SESMailboxSimulator.isSimulator(context.normalizer.normalize($0)?.normalized ?? $0) }
            let counting = outbox != nil ? nil : SentRecipients(identity: message.identity, count: counted)
            _ = try await store.markSent(id: id, sesMessageId: sesMessageId, outbox: outbox, counting: counting, claimedAt: claimedAt, at: now)
            count(outbox != nil ? "outbox" : "sent")
            if sesMessageId == nil && outbox == nil {
                context.logger.warning("SES accepted a message without a usable MessageId; recorded as sent, not retried", metadata: [
                    "send.message_id": "\(id)",
                ])
            }
        case .retry(let at, let error):
            _ = try await store.requeue(id: id, nextAttemptAt: at, error: error, countAttempt: true, claimedAt: claimedAt, at: now)
            metrics.count("sluice_send_retries_total", help: "SES calls that will be retried.")
        case .fail(let error):
            _ = try await store.markFailed(id: id, error: error, claimedAt: claimedAt, at: now)
            count("failed")
        case .release(let reason, let error):
            _ = try await store.requeue(id: id, nextAttemptAt: now, error: error, countAttempt: false, claimedAt: claimedAt, at: now)
            if reason == .pauseSending {
                let state = try await context.sending.pause(reason: "SES refused sending: \(error)", source: .ses, at: now)
                context.logger.error("SES refused sending: all sending paused until resumed", metadata: [
                    "send.reason": "\(error)", "sending.since": "\(state.since.map { "\($0)" } ?? "-")",
                ])
            } else if reason == .unavailable {
                // One try per wait, not one per queued message: the log and the credential source stay quiet.
                let wait = credentialsOutage.withLock { $0.wait(at: now, longest: configuration.maxCredentialsWait) }
                await limiter.block(until: now.addingTimeInterval(wait))
                context.logger.warning("no usable AWS credentials: sending waits, messages stay queued", metadata: [
                    "send.reason": "\(error)", "send.wait_seconds": "\(wait)",
                ])
            } else {
                await limiter.block(until: now.addingTimeInterval(configuration.dailyQuotaWait))
                context.logger.warning("SES daily quota exceeded: sending waits", metadata: ["send.wait_seconds": "\(configuration.dailyQuotaWait)"])
            }
        }
    }

    private func suppressedRecipients(of message: OutboundMessage) async throws -> [DroppedRecipient] {
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

    // MARK: Background loops

    private func refreshAccountLoop() async {
        while !Task.isCancelled {
            do {
                // The shared ledger's mark before the call: SES's figure then covers every reservation before it.
                let mark = await quotaMark()
                let askedAt = context.now()
                if let account = try await transport.account() {
                    await adopt(account)
                    await seedSharedQuota(account.sendQuota?.sentLast24Hours, mark: mark, askedAt: askedAt)
                }
            } catch {
                context.logger.warning("GetAccount failed; keeping current send limits", metadata: ["error": "\(error)"])
                // Only an account that may not send pauses sending here; a policy without ses:GetAccount must not.
                if error.retry == .pauseSending, RetryClassifier.pauseCodes.contains(error.awsErrorType ?? "") {
                    _ = try? await context.sending.pause(reason: "SES GetAccount: \(error.awsErrorType ?? "paused")", source: .ses, at: context.now())
                }
            }
            try? await Task.sleep(for: .seconds(configuration.accountRefresh))
        }
    }

    /// Until this process's `GetAccount` answers: the daily quota last recorded in the store (by this or
    /// another instance). Without it an instance whose own call keeps failing sends unlimited, past the quota
    /// the other instances keep to, and a restarted one does until its first refresh.
    private func adoptStoredQuota() async {
        guard configuration.configuredMax24HourSend == 0,
              let stored = await StoredSendQuota(store: context.store).currentQuota(at: context.now(), recordedWithin: 48 * 3600)
        else { return }
        await limiter.setLimits(maxSendRate: nil, max24HourSend: stored.max24HourSend, sentLast24Hours: nil)
        context.metrics.set("sluice_send_quota_24h", help: "Recipients per rolling 24 h allowed (-1 unlimited).", await limiter.quotaLimit)
    }

    private func adopt(_ account: SESAccount) async {
        let quota = account.sendQuota
        let rate = configuration.configuredMaxSendRate > 0 ? configuration.configuredMaxSendRate : quota?.maxSendRate
        let daily = configuration.configuredMax24HourSend != 0 ? Double(configuration.configuredMax24HourSend) : quota?.max24HourSend
        await limiter.setLimits(maxSendRate: rate, max24HourSend: daily, sentLast24Hours: quota?.sentLast24Hours)
        context.metrics.set("sluice_send_rate_limit", help: "Recipients per second the send gate allows.", await limiter.maxRate)
        context.metrics.set("sluice_send_quota_24h", help: "Recipients per rolling 24 h allowed (-1 unlimited).", await limiter.quotaLimit)
        if let quota {
            // For monitoring's quota-use figure and alerts (every instance and the CLI read it from the store).
            do {
                try await StoredSendQuota(store: context.store).record(
                    max24HourSend: quota.max24HourSend, sentLast24Hours: quota.sentLast24Hours, at: context.now())
            } catch {
                context.logger.warning("SES quota not recorded for monitoring", metadata: ["error": "\(error)"])
            }
        }
        if !account.sendingEnabled {
            context.logger.warning("SES GetAccount reports SendingEnabled = false")
        }
        context.logger.debug("send limits refreshed", metadata: [
            "ses.max_send_rate": "\(quota?.maxSendRate ?? 0)", "ses.max_24h_send": "\(quota?.max24HourSend ?? 0)",
        ])
    }

    private func housekeepingLoop() async {
        while !Task.isCancelled {
            let now = context.now()
            do {
                let excluded = inflight.withLock { $0 }
                let recovered = try await context.store.recoverInflight(
                    claimedBefore: now.addingTimeInterval(-configuration.inflightRecoveryAge), resolution: configuration.inflightResolution,
                    excluding: excluded, at: now)
                if recovered > 0 {
                    context.logger.warning("resolved messages interrupted during their SES call", metadata: [
                        "send.recovered": "\(recovered)", "send.inflight_resolution": "\(configuration.inflightResolution.rawValue)",
                    ])
                }
                _ = try await context.store.purgeIdempotency(createdBefore: now.addingTimeInterval(-configuration.idempotencyRetention))
                let counts = try await context.store.queueCounts()
                for (state, n) in counts {
                    context.metrics.set("sluice_send_queue_messages", help: "Messages in the send queue by state.", labels: ["state": state.rawValue], Double(n))
                }
            } catch {
                context.logger.warning("send housekeeping failed; will retry", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: configuration.housekeepingInterval)
        }
    }
}
