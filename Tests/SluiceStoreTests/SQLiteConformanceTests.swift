import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// Runs `StoreConformance` against `SQLiteStore` on temp files.
struct SQLiteConformanceTests {
    private func withStore(_ body: (SQLiteStore) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        try await body(store)
    }

    @Test func ingestStoresAndDeduplicates() async throws { try await withStore(StoreConformance.ingestStoresAndDeduplicates) }
    @Test func policyDecisionsApplied() async throws { try await withStore(StoreConformance.policyDecisionsApplied) }
    @Test func upsertMergesRepeatedSuppressions() async throws { try await withStore(StoreConformance.upsertMergesRepeatedSuppressions) }
    @Test func expiryBoundary() async throws { try await withStore(StoreConformance.expiryBoundary) }
    @Test func scopeMatching() async throws { try await withStore(StoreConformance.scopeMatching) }
    @Test func paginationStableUnderInserts() async throws { try await withStore(StoreConformance.paginationStableUnderInserts) }
    @Test func listFilters() async throws { try await withStore(StoreConformance.listFilters) }
    @Test func removeReportsAbsence() async throws { try await withStore(StoreConformance.removeReportsAbsence) }
    @Test func countsByReason() async throws { try await withStore(StoreConformance.countsByReason) }
    @Test func invalidInputRejected() async throws { try await withStore(StoreConformance.invalidInputRejected) }
    @Test func countersFromIngestAndSends() async throws { try await withStore(StoreConformance.countersFromIngestAndSends) }
    @Test func certificatesSubscriptionsSettings() async throws { try await withStore(StoreConformance.certificatesSubscriptionsSettings) }
    @Test func failedIngestChangesNothing() async throws { try await withStore(StoreConformance.failedIngestChangesNothing) }
    @Test func purgeMessages() async throws { try await withStore(StoreConformance.purgeMessages) }
    @Test func markSentCountsInTheSameTransaction() async throws { try await withStore(QueueConformance.markSentCountsInTheSameTransaction) }
    @Test func deferQueuedMovesOnlyQueuedRows() async throws { try await withStore(QueueConformance.deferQueuedMovesOnlyQueuedRows) }
    @Test func retentionPurgesOnlyOldFinishedMessagesAndCounters() async throws {
        try await withStore(QueueConformance.retentionPurgesOnlyOldFinishedMessagesAndCounters)
    }

    @Test func importExportRoundTrip() async throws {
        try await withStore { source in
            try await withStore { target in try await StoreConformance.importExportRoundTrip(source, target) }
        }
    }
}
