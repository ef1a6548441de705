import Foundation

/// Retention of the SNS dedupe log and address history.
public protocol MessageRetentionStore: Sendable {
    /// Deletes stored SNS messages received before `cutoff` (keep them longer than the SNS replay window);
    /// returns how many.
    func purgeMessages(olderThan cutoff: Date) async throws(StoreError) -> Int
    /// Deletes history entries recorded before `cutoff`; returns how many.
    func purgeHistory(olderThan cutoff: Date) async throws(StoreError) -> Int
}
