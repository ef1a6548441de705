import Foundation

/// The durable send queue. Every state change commits (synced) before it returns; each change checks the
/// current state so a stale worker cannot move a message backwards (see `QueueStateMachine`).
public protocol OutboundQueueStore: Sendable {
    /// Inserts a `queued` message and, atomically with it, its idempotency record. When the key already
    /// exists nothing is inserted and the outcome says replay or conflict.
    func enqueue(_ message: QueuedMessage, idempotency: IdempotencyRecord?) async throws(StoreError) -> IdempotentWriteOutcome
    /// The message with `id`, payload included.
    func queuedMessage(id: String) async throws(StoreError) -> QueuedMessage?
    /// `queued` messages due at `now`, oldest due first, leaving out those from `excludedIdentities` (identities
    /// paused on their own): a paused identity's backlog must not fill the batch ahead of other identities' mail.
    func readyMessages(at now: Date, limit: Int, excludingIdentities excludedIdentities: Set<String>) async throws(StoreError) -> [ReadyMessage]
    /// `queued` → `sending` (attempts + 1, `claimed_at` stamped by `clock`). Recipients suppressed since
    /// acceptance are moved to the suppressed list first (`message` is the payload without them). Nil when not
    /// `queued`, or not due by `dueBy` (put back with a backoff since the caller listed it as ready). `dueBy` may
    /// lie a little after `now`: the worker claims ahead of a reserved send time
    /// (`SendGateConfiguration.reservationLead`). Returns the committed attempts and `claimed_at`.
    func claim(
        id: String, dropping dropped: [DroppedRecipient], message: OutboundMessage?, at now: Date, dueBy: Date, clock: LeaseClock
    ) async throws(StoreError) -> QueueClaim?
    /// `queued` → `suppressed`: every remaining recipient is suppressed.
    func markSuppressed(id: String, dropping dropped: [DroppedRecipient], at now: Date) async throws(StoreError) -> Bool
    /// `sending` → `sent`; with the outbox transport `outbox` holds the recorded request. `counting` is added to
    /// the hourly send counters in the same transaction, so a crash can never keep one without the other.
    ///
    /// `claimedAt`, in this and the next two: the time of the caller's own claim. The change then applies to
    /// that claim only: a row another instance has recovered and claimed since is left to it (nil: any claim).
    func markSent(id: String, sesMessageId: String?, outbox: String?, counting: SentRecipients?, claimedAt: Date?, at now: Date) async throws(StoreError) -> Bool
    /// `sending` → `queued` due at `nextAttemptAt`. `countAttempt: false` undoes the claim's attempt count.
    func requeue(id: String, nextAttemptAt: Date, error: String?, countAttempt: Bool, claimedAt: Date?, at now: Date) async throws(StoreError) -> Bool
    /// `sending` → `failed`.
    func markFailed(id: String, error: String, claimedAt: Date?, at now: Date) async throws(StoreError) -> Bool
    /// Resolves `sending` messages whose claim is older than `age` by `clock` (left by a crash) per
    /// `resolution` (`QueueStateMachine.recovery(_:attempts:maxAttempts:)`: with `resend`, one that has used
    /// up `maxAttempts` is failed), except `excluding` (calls still in flight in this process). Returns how many.
    func recoverInflight(
        olderThan age: TimeInterval, maxAttempts: Int, resolution: InflightResolution, excluding: Set<String>, at now: Date,
        clock: LeaseClock
    ) async throws(StoreError) -> Int
    /// Messages per state (every state present).
    func queueCounts() async throws(StoreError) -> [MessageState: Int]
    /// SES events recorded for one SES message id (history entries), oldest first.
    func events(sesMessageId: String, limit: Int) async throws(StoreError) -> [HistoryEntry]
}

/// Recipients of one message SES accepted, for the monitoring counters (`markSent`).
public struct SentRecipients: Sendable, Equatable {
    public var identity: String
    public var count: Int

    public init(identity: String, count: Int) {
        self.identity = identity
        self.count = count
    }
}

extension OutboundQueueStore {
    /// `queued` messages due at `now`, oldest due first, from every identity.
    public func readyMessages(at now: Date, limit: Int) async throws(StoreError) -> [ReadyMessage] {
        try await readyMessages(at: now, limit: limit, excludingIdentities: [])
    }

    /// `claim` stamped `now` (the caller's clock); whether it was claimed.
    public func claim(id: String, dropping dropped: [DroppedRecipient], message: OutboundMessage?, at now: Date, dueBy: Date) async throws(StoreError) -> Bool {
        try await claim(id: id, dropping: dropped, message: message, at: now, dueBy: dueBy, clock: .caller) != nil
    }

    /// `claim` of a message due by `now`, stamped `now`.
    public func claim(id: String, dropping dropped: [DroppedRecipient], message: OutboundMessage?, at now: Date) async throws(StoreError) -> Bool {
        try await claim(id: id, dropping: dropped, message: message, at: now, dueBy: now)
    }

    /// `recoverInflight` of claims stamped before `claimedBefore` (the caller's clock), attempts not capped.
    public func recoverInflight(claimedBefore: Date, resolution: InflightResolution, excluding: Set<String>, at now: Date) async throws(StoreError) -> Int {
        try await recoverInflight(
            olderThan: now.timeIntervalSince(claimedBefore), maxAttempts: .max, resolution: resolution, excluding: excluding, at: now,
            clock: .caller)
    }

    /// `sending` → `sent` without counting sends (outbox deliveries, tests).
    public func markSent(id: String, sesMessageId: String?, outbox: String?, at now: Date) async throws(StoreError) -> Bool {
        try await markSent(id: id, sesMessageId: sesMessageId, outbox: outbox, counting: nil, claimedAt: nil, at: now)
    }

    /// `markSent` of whatever claim the row holds.
    public func markSent(id: String, sesMessageId: String?, outbox: String?, counting: SentRecipients?, at now: Date) async throws(StoreError) -> Bool {
        try await markSent(id: id, sesMessageId: sesMessageId, outbox: outbox, counting: counting, claimedAt: nil, at: now)
    }

    /// `requeue` of whatever claim the row holds.
    public func requeue(id: String, nextAttemptAt: Date, error: String?, countAttempt: Bool, at now: Date) async throws(StoreError) -> Bool {
        try await requeue(id: id, nextAttemptAt: nextAttemptAt, error: error, countAttempt: countAttempt, claimedAt: nil, at: now)
    }

    /// `markFailed` of whatever claim the row holds.
    public func markFailed(id: String, error: String, at now: Date) async throws(StoreError) -> Bool {
        try await markFailed(id: id, error: error, claimedAt: nil, at: now)
    }
}
