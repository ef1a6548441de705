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
/// Outcomes: SES's answer (or that no call was made) is known only here, so recording it is retried for as
/// long as the process runs (`recordRetrying`), the message kept in `inflight` meanwhile so this process's
/// crash recovery leaves it alone.
///
/// Daily quota: recipients are counted when their send time is reserved, and given back when they are not
/// sent after all: the claim comes to nothing (paused, taken, every recipient suppressed), suppressed
/// recipients are dropped at the claim, the step ends in an error or cancellation before the call, or SES
/// answers with a refusal (any decision but `retryable`: a timeout, 5xx or network error may have sent).
/// A message with more recipients than the whole quota is failed at its reservation.
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
    /// Messages from dispatch to the end of their task, with their stored bytes (`maxInflightBytes`).
    private let inflight = Mutex(InflightLedger())
    /// Messages whose task ended since the current pass listed the due ones: the list may be stale for them
    /// (tried and put back with a backoff), so the pass leaves them to the next one instead of spending a
    /// rate slot on a claim the store refuses.
    private let finishedSinceListing = Mutex<Set<String>>([])
    /// How long sending waits for AWS credentials (or for SES to be reachable), growing while they stay unusable.
    private let credentialsOutage = Mutex(CredentialsOutage())
    /// The account-wide rate and daily quota when several instances share the store (PostgreSQL).
    let sharedBudget: (any SharedSendBudget)?
    /// Stretches of the shared schedule reserved but not used (lost claims), reused before reserving anew.
    let spares = Mutex(ScheduleSpares())
    /// The claims this engine holds, until their task ends.
    let claims = Mutex<[String: HeldClaim]>([:])
    /// The latest wall-clock reading seen, and when (steady) it was taken: due rows are listed by it (`dueNow`).
    private let latestReading = Mutex<(wall: Date, at: ContinuousClock.Instant)?>(nil)
    /// The account's run of throttled answers: the throttle backoff grows with it, `maxThrottledAge` counts from it.
    private let throttleRun: Mutex<ThrottleRun>
    /// Messages whose step failed before their claim (a store error, an unreadable payload), left alone for a while.
    let stepFailures = Mutex<[String: StepFailure]>([:])
    /// Set once `run` is cancelled: outcomes still being recorded get a few more tries, not unlimited ones.
    let stopping = Mutex(false)
    /// When a far-ahead shared schedule was last logged.
    let scheduleWarning = Mutex<ContinuousClock.Instant?>(nil)

    init(context: AppContext, configuration: SendGateConfiguration, transport: any SendTransport) {
        self.context = context
        self.configuration = configuration
        self.transport = transport
        self.machine = configuration.stateMachine
        throttleRun = Mutex(ThrottleRun(maxGap: ThrottleRun.gap(backoffCap: configuration.stateMachine.backoff.cap)))
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
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.refreshAccountLoop() }
                group.addTask { await self.housekeepingLoop() }
                await dispatchLoop(group: &group)
            }
        } onCancel: {
            stopping.withLock { $0 = true }
        }
    }

    /// How far past its latest reading `dueNow` runs on after the wall clock stepped back: rows accepted up to
    /// this long after the dispatcher last read the clock, and before the step, are due at once too.
    static let stepBackReach: TimeInterval = 10

    /// The time due rows are listed and claimed by: the wall clock, but never earlier than its latest reading
    /// (plus the time since, up to `stepBackReach`). After a step back, mail queued before the step is due at
    /// once instead of after the length of the step. Due times the engine sets (retry and throttle backoffs,
    /// pacing deferrals) count from it too, so none is already due when set; while the clock catches up after a
    /// step longer than `stepBackReach`, they wait up to the step longer than asked (never less).
    func dueNow() -> Date {
        let wall = context.now(), at = ContinuousClock.now
        return latestReading.withLock { latest in
            guard let seen = latest, wall < seen.wall else {
                latest = (wall, at)
                return wall
            }
            let since = (at - seen.at).components
            let elapsed = Double(since.seconds) + Double(since.attoseconds) * 1e-18
            return max(wall, seen.wall.addingTimeInterval(min(elapsed, Self.stepBackReach)))
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
                at: dueNow(), limit: batch, excludingIdentities: Set(state.pausedIdentities.keys))
            ready = await paced(due, excluding: inflight.withLock { $0.ids })
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
            if isBackingOff(message.id) { continue }
            // Bounded concurrency and payload bytes: wait for room (short sleeps; room frees as calls finish).
            let (concurrency, budget) = (configuration.concurrency, configuration.maxInflightBytes)
            while !inflight.withLock({ $0.hasRoom(for: message.payloadBytes, concurrency: concurrency, budget: budget) }), !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(2))
            }
            if finishedSinceListing.withLock({ $0.contains(message.id) }) { continue }
            let fresh = inflight.withLock { $0.insert(message.id, weight: message.payloadBytes) }
            guard fresh else { continue }
            started += 1
            group.addTask {
                await self.process(message)
                _ = self.finishedSinceListing.withLock { $0.insert(message.id) }
                // The claim first: once the id leaves `inflight` a new task may claim it and hold its own.
                self.claims.withLock { $0[message.id] = nil }
                self.inflight.withLock { $0.remove(message.id) }
            }
        }
        return started
    }

    // MARK: One message

    private func process(_ ready: ReadyMessage) async {
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
            let (id, message) = (claimed.id, claimed.message)
            if pacing.isEnabled, message.recipients.count < claimed.listedRecipients {
                await pacing.settle(id, recipients: message.recipients.count, now: context.now())
            }
            // Recipients suppressed at the claim are not sent: only the claimed ones stay counted.
            let counted = await limiter.giveBack(reserved, keeping: message.recipients.count)
            local = nil
            let quotaAt = sharedBudget == nil ? nil : context.now()
            if let budget = sharedBudget, let reservation = shared, let quotaAt {
                shared = nil
                // The daily quota only for what was claimed: a claim lost to another instance takes none.
                guard await reserveSharedQuota(message.recipients.count, claimed: id, at: quotaAt, in: budget) else {
                    await giveBackUnclaimed(reservation, counted)
                    await releaseWarmup(id)
                    return
                }
                giveBack(reservation, keeping: message.recipients.count)
            }
            // From the claim on, finish even when shutting down: the call is bounded by requestTimeout, and
            // recording its outcome is what keeps the duplicate/loss window small.
            let clock = context.now
            let sent = await Task {
                // Leave at the reserved time (bounded by the lead; a short sleep also ends early on shutdown).
                let wait = slot.timeIntervalSince(clock())
                if wait > 0 { try? await Task.sleep(for: .seconds(min(wait, self.configuration.reservationLead))) }
                return await self.call(claimed, quotaAt: quotaAt, counted: counted)
            }.value
            if !sent { await releaseWarmup(id) }
        } catch is CancellationError {
            await giveBackUnclaimed(shared, local)
            await releaseWarmup(ready.id)
            return
        } catch let error as SendRateLimiter.ExceedsDailyQuota {
            await giveBackUnclaimed(shared, local)
            await releaseWarmup(ready.id)
            await failUnsendable(ready.id, error: "exceeds_daily_quota: \(error); never sendable as one message, not sent")
        } catch {
            await giveBackUnclaimed(shared, local)
            await releaseWarmup(ready.id)
            await stepFailed(ready.id, error: error)
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

    /// A message this engine claimed, ready for its call.
    struct ClaimedMessage: Sendable {
        let id: String
        /// The payload to send (without recipients suppressed since acceptance).
        let message: OutboundMessage
        /// Recipients the stored message had before the claim dropped suppressed ones.
        let listedRecipients: Int
        /// The attempt this call is, as the claim committed it (1-based).
        let attempts: Int
        /// When the message was accepted (`ThrottleRun.throttledSince(acceptedAt:)`).
        let createdAt: Date
    }

    /// Re-checks pause and suppressions right before the call and claims the message; nil when it is not
    /// to be sent now (paused, taken by another instance, every recipient suppressed).
    private func claim(_ ready: ReadyMessage) async throws -> ClaimedMessage? {
        guard try await context.sending.allowsSending(identity: ready.identity) else { return nil }
        guard let queued = try await context.store.queuedMessage(id: ready.id), queued.state == .queued else { return nil }
        forgetStepFailure(ready.id)
        // Suppression check again, right before the call: an address suppressed while queued is not mailed.
        let checkedAt = context.now()
        let dropped = try await suppressedRecipients(of: queued.message)
        if !dropped.isEmpty, dropped.count == queued.message.recipients.count {
            _ = try await context.store.markSuppressed(id: queued.id, dropping: dropped, at: context.now())
            context.metrics.count("sluice_send_messages_total", help: "Messages finished by the send gate, by outcome.", labels: ["outcome": "suppressed"])
            return nil
        }
        let message = dropped.isEmpty ? queued.message : queued.message.removing(Set(dropped.map(\.address)))
        let claimedAt = context.now()
        // Due by the end of the lead: pacing grants a slot up to that much early and the call waits for it.
        let claim: QueueClaim?
        do {
            claim = try await context.store.claim(
                id: queued.id, dropping: dropped, message: dropped.isEmpty ? nil : message, at: claimedAt,
                dueBy: dueNow().addingTimeInterval(configuration.reservationLead), clock: .store)
        } catch {
            // The claim may have committed unseen (a WAL sync that failed after, a lost PostgreSQL reply). It is
            // not put back: its stamp is unknown (the store's clock), and a put-back that matched any claim could
            // return another instance's live claim to `queued` and have the message sent twice. A claim that did
            // commit stays `sending`, no call is made, and crash recovery resolves it after the lease.
            context.logger.error("claim failed and may have committed; if so, crash recovery resolves it", metadata: [
                "send.message_id": "\(queued.id)", "error": "\(error)",
            ])
            throw error
        }
        guard let claim else { return nil }
        claims.withLock { $0[queued.id] = HeldClaim(at: claimedAt, stamp: claim.claimedAt, suppressionsCheckedAt: checkedAt) }
        return ClaimedMessage(
            id: queued.id, message: message, listedRecipients: queued.message.recipients.count, attempts: claim.attempts,
            createdAt: queued.createdAt)
    }

    /// - Parameters:
    ///   - quotaAt: when the shared daily quota was reserved for it (nil without a shared budget).
    ///   - counted: its reservation in the local daily quota, given back when SES refuses the call.
    /// - Returns: whether the message counts as sent (SES may have sent it); false when it was retried,
    ///   failed, released or not called.
    private func call(_ claimed: ClaimedMessage, quotaAt: Date? = nil, counted: SendRateLimiter.Reservation?) async -> Bool {
        let (id, message) = (claimed.id, claimed.message)
        let result: TransportResult
        // Credentials first: their fetch is outside the call's timeout, so the claim's age is checked after it.
        if let unready = await transport.prepare() {
            result = unready
        } else {
            // The claim's age last: nothing (the suppression re-check reads the store) between it and the call.
            guard await suppressionsStillAllow(id: id, message: message, quotaAt: quotaAt, counted: counted),
                  await claimIsCallable(id: id, message: message, quotaAt: quotaAt, counted: counted)
            else { return false }
            result = await transport.send(SendRequestMapping.request(for: message), at: context.now())
        }
        // Due times from `dueNow`, as rows are listed by it: after a clock step back a backoff is not already due.
        let now = context.now(), due = dueNow()
        let (throttles, throttledSince) = throttleRun.withLock { run in
            run.record(result.outcome, at: due)
            return (run.streak, run.throttledSince(acceptedAt: claimed.createdAt))
        }
        let action = machine.action(
            after: result.outcome, attempts: claimed.attempts, now: due, random: Double.random(in: 0..<1), throttledSince: throttledSince,
            throttles: throttles)
        if case .failed(.throttled, _) = result.outcome { await limiter.recordThrottle() }
        if case .failed(let decision, _) = result.outcome, decision != .retryable || result.certainlyNotSent {
            // SES refused it, or the request never reached SES (a timeout, a 5xx or a connection lost after
            // the request was written may have sent it): the quota goes back.
            await returnDailyQuota(of: message, quotaAt: quotaAt, counted: counted)
        }
        // No keys, or SES unreachable: the outage's wait keeps doubling until a call gets through.
        let cannotCall = if case .failed(.unavailable, _) = result.outcome { true } else { false }
        if !cannotCall { credentialsOutage.withLock { $0.end() } }
        // The outcome is known here and nowhere else: recorded however long the store takes to come back.
        let stamp = claims.withLock { $0[id]?.stamp }
        await recordRetrying("cannot record send outcome", id: id) {
            try await self.apply(action, id: id, claimedAt: stamp, message: message, outbox: result.outbox, unreachable: result.unreachable, now: now)
        }
        if case .markSent = action { return true }
        return false
    }

    /// Records `action` in the queue for the claim made at `claimedAt` (and pauses or waits as it says).
    /// - Parameter unreachable: an `unavailable` outcome came from SES being unreachable, not from missing keys.
    private func apply(
        _ action: QueueAction, id: String, claimedAt: Date?, message: OutboundMessage, outbox: String?, unreachable: Bool, now: Date
    ) async throws {
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
        case .throttled(let at, let error):
            // The account's state, not the message's: no attempt spent (`maxThrottledAge` bounds the wait).
            _ = try await store.requeue(id: id, nextAttemptAt: at, error: error, countAttempt: false, claimedAt: claimedAt, at: now)
            metrics.count("sluice_send_retries_total", help: "SES calls that will be retried.")
        case .fail(let error):
            _ = try await store.markFailed(id: id, error: error, claimedAt: claimedAt, at: now)
            count("failed")
        case .pause(let error, let gaveUp, let countsAttempt):
            if gaveUp {
                _ = try await store.markFailed(id: id, error: error, claimedAt: claimedAt, at: now)
                count("failed")
            } else {
                _ = try await store.requeue(
                    id: id, nextAttemptAt: now, error: error, countAttempt: countsAttempt, claimedAt: claimedAt, at: now)
            }
            let state = try await context.sending.pause(reason: "SES refused sending: \(error)", source: .ses, at: now)
            context.logger.error("SES refused sending: all sending paused until resumed", metadata: [
                "send.message_id": "\(id)", "send.reason": "\(error)", "send.gave_up": "\(gaveUp)",
                "sending.since": "\(state.since.map { "\($0)" } ?? "-")",
            ])
        case .release(let reason, let error):
            _ = try await store.requeue(id: id, nextAttemptAt: now, error: error, countAttempt: false, claimedAt: claimedAt, at: now)
            if reason == .unavailable {
                // One try per wait, not one per queued message: the log and the credential source stay quiet.
                let wait = credentialsOutage.withLock { $0.wait(at: now, longest: configuration.maxCredentialsWait) }
                await limiter.block(until: now.addingTimeInterval(wait))
                let message: Logger.Message = unreachable
                    ? "SES unreachable: sending waits, messages stay queued"
                    : "no usable AWS credentials: sending waits, messages stay queued"
                context.logger.warning(message, metadata: ["send.reason": "\(error)", "send.wait_seconds": "\(wait)"])
            } else {
                await limiter.block(until: now.addingTimeInterval(configuration.dailyQuotaWait))
                context.logger.warning("SES daily quota exceeded: sending waits", metadata: ["send.wait_seconds": "\(configuration.dailyQuotaWait)"])
            }
        }
    }

    // MARK: Background loops

    private func refreshAccountLoop() async {
        while !Task.isCancelled {
            do {
                // The shared ledger's mark before the call: SES's figure then covers every reservation before it.
                let mark = await quotaMark()
                let localMark = await limiter.quotaMark()
                let askedAt = context.now()
                if let account = try await transport.account() {
                    await adopt(account, quotaMark: localMark)
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

    /// - Parameter quotaMark: the limiter's `quotaMark()` read before `GetAccount` was called.
    private func adopt(_ account: SESAccount, quotaMark: Int64) async {
        let quota = account.sendQuota
        let rate = configuration.configuredMaxSendRate > 0 ? configuration.configuredMaxSendRate : quota?.maxSendRate
        let daily = configuration.configuredMax24HourSend != 0 ? Double(configuration.configuredMax24HourSend) : quota?.max24HourSend
        await limiter.setLimits(maxSendRate: rate, max24HourSend: daily, sentLast24Hours: quota?.sentLast24Hours, quotaMark: quotaMark)
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
            _ = dueNow()  // a reading even while the dispatcher waits for room (see `stepBackReach`)
            do {
                let excluded = inflight.withLock { $0.ids }
                // The lease by the store's clock (the database server's on PostgreSQL), as the claims were stamped.
                let recovered = try await context.store.recoverInflight(
                    olderThan: configuration.inflightRecoveryAge, maxAttempts: machine.maxAttempts, resolution: configuration.inflightResolution,
                    excluding: excluded, at: now, clock: .store)
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
