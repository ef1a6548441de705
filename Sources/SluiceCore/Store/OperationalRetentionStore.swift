import Foundation

/// Retention of the send queue's finished rows and of the hourly counters, run by the maintenance worker.
public protocol OperationalRetentionStore: Sendable {
    /// Deletes messages in a final state (sent, failed, suppressed) created and last updated before `cutoff`,
    /// in bounded batches; returns how many. Keep `cutoff` older than the idempotency window, so a replayed
    /// Idempotency-Key still resolves to its message.
    func purgeFinishedMessages(olderThan cutoff: Date) async throws(StoreError) -> Int
    /// Deletes hourly counters of hours starting before `cutoff`, in bounded batches; returns how many.
    func purgeHourlyCounters(olderThan cutoff: Date) async throws(StoreError) -> Int
}
