import Foundation
import SluiceCore
import Synchronization

/// An `AppStore` that forwards every call to a real store and fails chosen queue calls a chosen number of
/// times, recording each queue call it sees. For send-engine tests that need a store error at one exact step
/// (a claim that commits unseen, a release refused, a read that fails once).
final class FaultInjectingStore: AppStore {
    /// The queue calls that can be failed and are recorded.
    enum Operation: String, Sendable {
        case queuedMessage, readyMessages, claim, requeue, markSent, markFailed, recoverInflight, deferQueued
    }

    /// When a failed call fails.
    enum Timing: Sendable {
        /// Not forwarded: nothing changed in the store.
        case before
        /// Forwarded, then the error: the change committed but the caller never learns it.
        case after
    }

    /// One queue call as the wrapper saw it.
    struct Call: Sendable {
        var operation: Operation
        /// The message id, for calls on one message.
        var id: String?
        /// The `claimedAt` handed to `requeue`, `markSent` and `markFailed` (nil: any claim).
        var claimedAt: Date?
        /// Whether the wrapper failed it.
        var failed: Bool
    }

    private struct Fault {
        var operation: Operation
        var id: String?
        var remaining: Int
        var timing: Timing
        var error: StoreError
    }

    let base: any AppStore
    private let faults = Mutex<[Fault]>([])
    private let log = Mutex<[Call]>([])

    init(_ base: any AppStore) {
        self.base = base
    }

    /// Fails the next `times` calls of `operation` (on message `id`, or any) with `error`.
    func fail(
        _ operation: Operation, id: String? = nil, times: Int, timing: Timing = .before,
        with error: StoreError = StoreError(.busy, "injected: the store is busy")
    ) {
        faults.withLock { $0.append(Fault(operation: operation, id: id, remaining: times, timing: timing, error: error)) }
    }

    /// Drops every fault not used up yet.
    func clearFaults() {
        faults.withLock { $0.removeAll() }
    }

    /// The recorded calls of `operation` (on `id`, or any), in order.
    func calls(_ operation: Operation, id: String? = nil) -> [Call] {
        log.withLock { $0.filter { $0.operation == operation && (id == nil || $0.id == id) } }
    }

    /// Every recorded call, in order.
    var allCalls: [Call] { log.withLock { $0 } }

    /// Records the call and runs it, failing it when a fault matches.
    private func run<T>(
        _ operation: Operation, id: String? = nil, claimedAt: Date? = nil, _ body: () async throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        let fault: Fault? = faults.withLock { faults in
            guard let index = faults.firstIndex(where: { $0.operation == operation && $0.remaining > 0 && ($0.id == nil || $0.id == id) })
            else { return nil }
            faults[index].remaining -= 1
            return faults[index]
        }
        log.withLock { $0.append(Call(operation: operation, id: id, claimedAt: claimedAt, failed: fault != nil)) }
        guard let fault else { return try await body() }
        if fault.timing == .after { _ = try await body() }
        throw fault.error
    }

    // MARK: OutboundQueueStore (recorded, may fail)

    func enqueue(_ message: QueuedMessage, idempotency: IdempotencyRecord?) async throws(StoreError) -> IdempotentWriteOutcome {
        try await base.enqueue(message, idempotency: idempotency)
    }

    func queuedMessage(id: String) async throws(StoreError) -> QueuedMessage? {
        try await run(.queuedMessage, id: id) { () throws(StoreError) in try await base.queuedMessage(id: id) }
    }

    func readyMessages(at now: Date, limit: Int, excludingIdentities excludedIdentities: Set<String>) async throws(StoreError) -> [ReadyMessage] {
        try await run(.readyMessages) { () throws(StoreError) in
            try await base.readyMessages(at: now, limit: limit, excludingIdentities: excludedIdentities)
        }
    }

    func claim(
        id: String, dropping dropped: [DroppedRecipient], message: OutboundMessage?, at now: Date, dueBy: Date, clock: LeaseClock
    ) async throws(StoreError) -> QueueClaim? {
        try await run(.claim, id: id) { () throws(StoreError) in
            try await base.claim(id: id, dropping: dropped, message: message, at: now, dueBy: dueBy, clock: clock)
        }
    }

    func markSuppressed(id: String, dropping dropped: [DroppedRecipient], at now: Date) async throws(StoreError) -> Bool {
        try await base.markSuppressed(id: id, dropping: dropped, at: now)
    }

    func markSent(id: String, sesMessageId: String?, outbox: String?, counting: SentRecipients?, claimedAt: Date?, at now: Date) async throws(StoreError) -> Bool {
        try await run(.markSent, id: id, claimedAt: claimedAt) { () throws(StoreError) in
            try await base.markSent(id: id, sesMessageId: sesMessageId, outbox: outbox, counting: counting, claimedAt: claimedAt, at: now)
        }
    }

    func requeue(id: String, nextAttemptAt: Date, error: String?, countAttempt: Bool, claimedAt: Date?, at now: Date) async throws(StoreError) -> Bool {
        try await run(.requeue, id: id, claimedAt: claimedAt) { () throws(StoreError) in
            try await base.requeue(id: id, nextAttemptAt: nextAttemptAt, error: error, countAttempt: countAttempt, claimedAt: claimedAt, at: now)
        }
    }

    func markFailed(id: String, error: String, claimedAt: Date?, at now: Date) async throws(StoreError) -> Bool {
        try await run(.markFailed, id: id, claimedAt: claimedAt) { () throws(StoreError) in
            try await base.markFailed(id: id, error: error, claimedAt: claimedAt, at: now)
        }
    }

    func recoverInflight(
        olderThan age: TimeInterval, maxAttempts: Int, resolution: InflightResolution, excluding: Set<String>, at now: Date,
        clock: LeaseClock
    ) async throws(StoreError) -> Int {
        try await run(.recoverInflight) { () throws(StoreError) in
            try await base.recoverInflight(
                olderThan: age, maxAttempts: maxAttempts, resolution: resolution, excluding: excluding, at: now, clock: clock)
        }
    }

    func queueCounts() async throws(StoreError) -> [MessageState: Int] { try await base.queueCounts() }

    func events(sesMessageId: String, limit: Int) async throws(StoreError) -> [HistoryEntry] {
        try await base.events(sesMessageId: sesMessageId, limit: limit)
    }

    // MARK: QueuePacingStore (recorded, may fail)

    func deferQueued(_ due: [String: Date], at now: Date) async throws(StoreError) -> Int {
        try await run(.deferQueued, id: due.count == 1 ? due.keys.first : nil) { () throws(StoreError) in
            try await base.deferQueued(due, at: now)
        }
    }

    // MARK: Forwarded as is

    func ingest(_ message: InboundMessage, events: [RecipientEvent], policy: any RecipientEventPolicy) async throws(StoreError) -> IngestOutcome {
        try await base.ingest(message, events: events, policy: policy)
    }

    func hasMessage(id: String) async throws(StoreError) -> Bool { try await base.hasMessage(id: id) }
    func isStored(_ message: InboundMessage) async throws(StoreError) -> Bool { try await base.isStored(message) }

    func purgeMessages(olderThan cutoff: Date) async throws(StoreError) -> Int { try await base.purgeMessages(olderThan: cutoff) }
    func purgeHistory(olderThan cutoff: Date) async throws(StoreError) -> Int { try await base.purgeHistory(olderThan: cutoff) }
    func purgeSoftBounces(windowStartedBefore cutoff: Date) async throws(StoreError) -> Int {
        try await base.purgeSoftBounces(windowStartedBefore: cutoff)
    }

    func suppression(for address: String, scope: String?, at now: Date) async throws(StoreError) -> Suppression? {
        try await base.suppression(for: address, scope: scope, at: now)
    }

    func suppressed(among addresses: [String], scope: String?, at now: Date) async throws(StoreError) -> [String: Suppression] {
        try await base.suppressed(among: addresses, scope: scope, at: now)
    }

    func putManual(_ suppression: Suppression) async throws(StoreError) { try await base.putManual(suppression) }
    func remove(address: String, scope: String) async throws(StoreError) -> Bool { try await base.remove(address: address, scope: scope) }
    func list(_ query: SuppressionQuery) async throws(StoreError) -> SuppressionPage { try await base.list(query) }
    func importBatch(_ suppressions: [Suppression]) async throws(StoreError) -> Int { try await base.importBatch(suppressions) }
    var importChunkLimit: Int { base.importChunkLimit }

    func export(after cursor: SuppressionCursor?, limit: Int) async throws(StoreError) -> SuppressionPage {
        try await base.export(after: cursor, limit: limit)
    }

    func history(address: String, limit: Int) async throws(StoreError) -> [HistoryEntry] { try await base.history(address: address, limit: limit) }
    func counts(byReason now: Date) async throws(StoreError) -> [SuppressionReason: Int] { try await base.counts(byReason: now) }
    func purgeExpired(at now: Date) async throws(StoreError) -> Int { try await base.purgeExpired(at: now) }

    func hourlyCounters(from: Date, to: Date) async throws(StoreError) -> [HourlyCounter] { try await base.hourlyCounters(from: from, to: to) }

    func recordSends(identity: String, count: Int, at: Date) async throws(StoreError) {
        try await base.recordSends(identity: identity, count: count, at: at)
    }

    func cachedCertificate(url: String) async throws(StoreError) -> (pem: [UInt8], expiresAt: Date)? { try await base.cachedCertificate(url: url) }

    func storeCertificate(url: String, pem: [UInt8], expiresAt: Date) async throws(StoreError) {
        try await base.storeCertificate(url: url, pem: pem, expiresAt: expiresAt)
    }

    func recordSubscription(_ record: SNSSubscriptionRecord) async throws(StoreError) { try await base.recordSubscription(record) }
    func subscriptions() async throws(StoreError) -> [SNSSubscriptionRecord] { try await base.subscriptions() }
    func subscriptions(topicArn: String) async throws(StoreError) -> [SNSSubscriptionRecord] { try await base.subscriptions(topicArn: topicArn) }

    func setting(_ key: String) async throws(StoreError) -> String? { try await base.setting(key) }
    func setSetting(_ key: String, _ value: String?) async throws(StoreError) { try await base.setSetting(key, value) }

    @discardableResult
    func updateSetting(
        _ key: String, _ transform: @escaping @Sendable (String?) throws(StoreError) -> String?
    ) async throws(StoreError) -> String? {
        try await base.updateSetting(key, transform)
    }

    func idempotencyRecord(key: String) async throws(StoreError) -> IdempotencyRecord? { try await base.idempotencyRecord(key: key) }
    func saveIdempotency(_ record: IdempotencyRecord) async throws(StoreError) -> IdempotentWriteOutcome { try await base.saveIdempotency(record) }
    func purgeIdempotency(createdBefore date: Date) async throws(StoreError) -> Int { try await base.purgeIdempotency(createdBefore: date) }

    func purgeFinishedMessages(olderThan cutoff: Date) async throws(StoreError) -> Int { try await base.purgeFinishedMessages(olderThan: cutoff) }
    func purgeHourlyCounters(olderThan cutoff: Date) async throws(StoreError) -> Int { try await base.purgeHourlyCounters(olderThan: cutoff) }

    var databaseIdentity: String { base.databaseIdentity }
    func checkWritable() async throws(StoreError) { try await base.checkWritable() }
    func close() { base.close() }
    func schemaVersion() async throws(StoreError) -> Int { try await base.schemaVersion() }
    func integrityCheck(quick: Bool) async throws(StoreError) -> [String] { try await base.integrityCheck(quick: quick) }
    func lastMessageReceivedAt(type: String) async throws(StoreError) -> Date? { try await base.lastMessageReceivedAt(type: type) }
    func suppressions(of address: String) async throws(StoreError) -> [Suppression] { try await base.suppressions(of: address) }
    var groupCommitStatistics: WriterStatistics? { base.groupCommitStatistics }
}
