import Foundation

/// Suppression lookups for the send gate and management for the admin API.
///
/// Addresses are matched exactly as given: callers pass the normalised address.
/// Scope `""` is global; a scoped lookup for `"list/topic"` also matches `"list"` and `""`.
/// Expired rows never count as suppressed, even before `purgeExpired(at:)` removes them.
public protocol SuppressionStore: Sendable {
    /// The active suppression that blocks mail to `address` in `scope` (nil = global only), if any.
    /// When several match, the broadest (global first) wins.
    func suppression(for address: String, scope: String?, at now: Date) async throws(StoreError) -> Suppression?
    /// Active suppressions for many addresses at once, read in one transaction; keys are the given addresses.
    func suppressed(among addresses: [String], scope: String?, at now: Date) async throws(StoreError) -> [String: Suppression]
    /// Inserts or replaces the suppression with the same (address, scope), as an operator would.
    func putManual(_ suppression: Suppression) async throws(StoreError)
    /// Removes the suppression of `address` in `scope`; false when there was none.
    func remove(address: String, scope: String) async throws(StoreError) -> Bool
    /// One page of suppressions in (address, scope) order, filtered by `query`.
    func list(_ query: SuppressionQuery) async throws(StoreError) -> SuppressionPage
    /// Merges a chunk of suppressions in one transaction with the import rule (`Suppression.mergingImport`:
    /// never a weaker reason or a shorter expiry); returns rows written.
    /// Callers stream large imports as successive chunks of at most `importChunkLimit` rows.
    func importBatch(_ suppressions: [Suppression]) async throws(StoreError) -> Int
    /// The largest chunk `importBatch` accepts.
    var importChunkLimit: Int { get }
    /// One page of every row (expired included) after `cursor`, for streaming exports.
    func export(after cursor: SuppressionCursor?, limit: Int) async throws(StoreError) -> SuppressionPage
    /// The newest `limit` history entries of `address`, newest first.
    func history(address: String, limit: Int) async throws(StoreError) -> [HistoryEntry]
    /// Active suppressions per reason at `now`.
    func counts(byReason now: Date) async throws(StoreError) -> [SuppressionReason: Int]
    /// Deletes suppressions expired at `now`; returns how many.
    func purgeExpired(at now: Date) async throws(StoreError) -> Int
}
