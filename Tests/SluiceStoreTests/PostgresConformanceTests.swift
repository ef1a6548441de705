import Foundation
import SluiceCore
import SluicePostgres
import SluiceTestSupport
import Testing

/// Runs `StoreConformance` against `PostgresStore`, each check on a fresh database of the throwaway server.
@Suite(.serialized) struct PostgresConformanceTests {
    private func withStore(_ body: (PostgresStore) async throws -> Void) async throws {
        let store = try await PostgresFixture.openStore()
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

/// Opens `PostgresStore`s on fresh databases of the process-wide throwaway server.
enum PostgresFixture {
    static func openStore(url: String? = nil, poolSize: Int = 4) async throws -> PostgresStore {
        let server = try await PostgresTestServer.shared()
        let target: String
        if let url { target = url } else { target = try await server.createDatabase() }
        return try await offPool { () throws -> PostgresStore in
            try PostgresStore(configuration: PostgresStoreConfiguration(url: target, poolSize: poolSize))
        }
    }
}
