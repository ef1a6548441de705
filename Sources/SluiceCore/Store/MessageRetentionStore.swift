import Foundation

/// Retention of the SNS dedupe log, address history and soft-bounce counters.
public protocol MessageRetentionStore: Sendable {
    /// Deletes stored SNS messages received before `cutoff` (keep them longer than the SNS replay window);
    /// returns how many.
    func purgeMessages(olderThan cutoff: Date) async throws(StoreError) -> Int
    /// Deletes history entries recorded before `cutoff`; returns how many.
    func purgeHistory(olderThan cutoff: Date) async throws(StoreError) -> Int
    /// Deletes soft-bounce counters whose window started before `cutoff` (the policy starts such a count
    /// over anyway); returns how many.
    func purgeSoftBounces(windowStartedBefore cutoff: Date) async throws(StoreError) -> Int
}
