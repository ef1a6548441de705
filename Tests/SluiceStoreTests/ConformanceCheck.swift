import SluiceCore
import Testing

/// Lends a fresh, empty store to `body` and closes it afterwards.
typealias StoreLender<Subject> = (_ body: (Subject) async throws -> Void) async throws -> Void

/// One named conformance check, written once and run by every backend's suite as a test argument.
struct ConformanceCheck<Subject>: Sendable, CustomTestStringConvertible {
    let name: String
    let run: @Sendable (_ lend: @escaping StoreLender<Subject>) async throws -> Void

    var testDescription: String { name }

    /// A check on one fresh store.
    static func on(_ name: String, _ check: @escaping @Sendable (Subject) async throws -> Void) -> Self {
        Self(name: name) { lend in try await lend(check) }
    }

    /// A check on two fresh stores (e.g. export from one, import into the other).
    static func between(_ name: String, _ check: @escaping @Sendable (Subject, Subject) async throws -> Void) -> Self {
        Self(name: name) { lend in
            try await lend { source in try await lend { target in try await check(source, target) } }
        }
    }
}

extension StoreConformance {
    /// What every backend, the in-memory twin included, offers.
    typealias Subject = any FeedbackStore & SuppressionStore & CounterStore & CertificateCacheStore & SubscriptionStore
        & SettingsStore & MessageRetentionStore

    static let checks: [ConformanceCheck<Subject>] = [
        .on("ingestStoresAndDeduplicates") { try await ingestStoresAndDeduplicates($0) },
        .on("policyDecisionsApplied") { try await policyDecisionsApplied($0) },
        .on("upsertMergesRepeatedSuppressions") { try await upsertMergesRepeatedSuppressions($0) },
        .on("expiryBoundary") { try await expiryBoundary($0) },
        .on("scopeMatching") { try await scopeMatching($0) },
        .on("paginationStableUnderInserts") { try await paginationStableUnderInserts($0) },
        .on("listFilters") { try await listFilters($0) },
        .on("removeReportsAbsence") { try await removeReportsAbsence($0) },
        .on("countsByReason") { try await countsByReason($0) },
        .on("invalidInputRejected") { try await invalidInputRejected($0) },
        .on("countersFromIngestAndSends") { try await countersFromIngestAndSends($0) },
        .on("oneSESEventInTwoMessagesCountsOnce") { try await oneSESEventInTwoMessagesCountsOnce($0) },
        .on("eventsOfOneMessageDifferingInScopeAllApply") { try await eventsOfOneMessageDifferingInScopeAllApply($0) },
        .on("eventsSESLeavesOutOfItsRatesAreNotCounted") { try await eventsSESLeavesOutOfItsRatesAreNotCounted($0) },
        .on("certificatesSubscriptionsSettings") { try await certificatesSubscriptionsSettings($0) },
        .on("concurrentSettingUpdatesAreAllKept") { try await concurrentSettingUpdatesAreAllKept($0) },
        .on("redeliveriesDeduplicateByMessageAndTimestamp") { try await redeliveriesDeduplicateByMessageAndTimestamp($0) },
        .on("failedIngestChangesNothing") { try await failedIngestChangesNothing($0) },
        .on("purgeMessages") { try await purgeMessages($0) },
        .on("purgeSoftBouncesKeepsLiveWindows") { try await purgeSoftBouncesKeepsLiveWindows($0) },
        .between("importExportRoundTrip") { try await importExportRoundTrip($0, $1) },
    ]
}

extension QueueConformance {
    static let checks: [ConformanceCheck<Store>] = [
        .on("markSentCountsInTheSameTransaction") { try await markSentCountsInTheSameTransaction($0) },
        .on("deferQueuedMovesOnlyQueuedRows") { try await deferQueuedMovesOnlyQueuedRows($0) },
        .on("claimWaitsForTheBackoffOfARequeuedMessage") { try await claimWaitsForTheBackoffOfARequeuedMessage($0) },
        .on("lateOutcomeOfARecoveredClaimChangesNothing") { try await lateOutcomeOfARecoveredClaimChangesNothing($0) },
        .on("readyMessagesLeaveOutExcludedIdentities") { try await readyMessagesLeaveOutExcludedIdentities($0) },
        .on("retentionPurgesOnlyOldFinishedMessagesAndCounters") { try await retentionPurgesOnlyOldFinishedMessagesAndCounters($0) },
    ]
}
