import Foundation
import SluiceCore
import Testing

/// Runs `StoreConformance` against the in-memory twin, so tests of other modules can trust it.
struct InMemoryConformanceTests {
    @Test func ingestStoresAndDeduplicates() async throws { try await StoreConformance.ingestStoresAndDeduplicates(InMemoryStore()) }
    @Test func policyDecisionsApplied() async throws { try await StoreConformance.policyDecisionsApplied(InMemoryStore()) }
    @Test func upsertMergesRepeatedSuppressions() async throws { try await StoreConformance.upsertMergesRepeatedSuppressions(InMemoryStore()) }
    @Test func expiryBoundary() async throws { try await StoreConformance.expiryBoundary(InMemoryStore()) }
    @Test func scopeMatching() async throws { try await StoreConformance.scopeMatching(InMemoryStore()) }
    @Test func paginationStableUnderInserts() async throws { try await StoreConformance.paginationStableUnderInserts(InMemoryStore()) }
    @Test func listFilters() async throws { try await StoreConformance.listFilters(InMemoryStore()) }
    @Test func removeReportsAbsence() async throws { try await StoreConformance.removeReportsAbsence(InMemoryStore()) }
    @Test func countsByReason() async throws { try await StoreConformance.countsByReason(InMemoryStore()) }
    @Test func invalidInputRejected() async throws { try await StoreConformance.invalidInputRejected(InMemoryStore()) }
    @Test func countersFromIngestAndSends() async throws { try await StoreConformance.countersFromIngestAndSends(InMemoryStore()) }
    @Test func certificatesSubscriptionsSettings() async throws { try await StoreConformance.certificatesSubscriptionsSettings(InMemoryStore()) }
    @Test func purgeMessages() async throws { try await StoreConformance.purgeMessages(InMemoryStore()) }
    @Test func importExportRoundTrip() async throws { try await StoreConformance.importExportRoundTrip(InMemoryStore(), InMemoryStore()) }
    @Test func failedIngestChangesNothing() async throws { try await StoreConformance.failedIngestChangesNothing(InMemoryStore()) }
}
