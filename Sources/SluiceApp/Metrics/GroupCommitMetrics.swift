import SluiceCore
import Synchronization

/// `sluice_store_*`: the store writer's group-commit counters (`WriterStatistics`), mirrored into the
/// registry at each scrape. The writer keeps them as plain integers under its own lock, so they are read
/// when asked for rather than pushed on every commit. `jobs ÷ commits` is the group size; `wal_syncs`
/// near `commits` and far below `jobs` shows that acknowledgements share their `fdatasync`.
final class GroupCommitMetrics: Sendable {
    private let registry: MetricsRegistry
    private let read: @Sendable () -> WriterStatistics?
    /// The statistics mirrored so far; counters advance by the difference to the next reading.
    private let mirrored = Mutex(WriterStatistics())

    /// nil when the store commits each write on its own (no writer to report on).
    init?(registry: MetricsRegistry, store: any StoreAdministration) {
        guard store.groupCommitStatistics != nil else { return nil }
        self.registry = registry
        read = { store.groupCommitStatistics }
        // Registered now, so every series shows (at 0) before the first write.
        for counter in Self.counters { _ = try? registry.counter(counter.name, help: counter.help) }
        _ = try? registry.gauge(Self.largestGroup.name, help: Self.largestGroup.help)
    }

    /// Brings the series up to the writer's current counters.
    func refresh() {
        guard let current = read() else { return }
        mirrored.withLock { mirrored in
            for counter in Self.counters {
                let now = current[keyPath: counter.value], before = mirrored[keyPath: counter.value]
                // Lower than before only if the writer was replaced: its counters started over.
                let advance = now >= before ? now - before : now
                if advance > 0 { try? registry.counter(counter.name, help: counter.help).increment(by: UInt64(advance)) }
            }
            try? registry.gauge(Self.largestGroup.name, help: Self.largestGroup.help).set(Double(current.largestBatch))
            mirrored = current
        }
    }

    private struct Series {
        let name: String
        let help: String
        let value: KeyPath<WriterStatistics, Int>
    }

    private static var counters: [Series] {
        [
            Series(name: "sluice_store_write_jobs_total", help: "Write jobs the store's single writer received.", value: \.jobs),
            Series(name: "sluice_store_commits_total", help: "Transactions the writer committed; each groups the jobs that arrived meanwhile.", value: \.commits),
            Series(name: "sluice_store_commit_failures_total", help: "Transactions that failed to commit or were rolled back by SQLite.", value: \.failedCommits),
            Series(name: "sluice_store_failed_jobs_total", help: "Write jobs that failed alone, rolled back to their savepoint.", value: \.failedJobs),
            Series(name: "sluice_store_wal_syncs_total", help: "fdatasync calls on the WAL; each acknowledges every commit made before it.", value: \.syncs),
            Series(name: "sluice_store_wal_sync_failures_total", help: "Failed WAL syncs (their commits were not acknowledged).", value: \.failedSyncs),
            Series(name: "sluice_store_checkpoints_total", help: "Checkpoints the writer ran between transactions.", value: \.checkpoints),
            Series(name: "sluice_store_database_syncs_total", help: "Syncs of the database file after checkpoints.", value: \.databaseSyncs),
            Series(name: "sluice_store_database_sync_failures_total", help: "Failed database-file syncs (writes are refused until a restart).", value: \.failedDatabaseSyncs),
        ]
    }

    private static let largestGroup = (name: "sluice_store_largest_commit_jobs", help: "The most jobs one transaction has committed since start.")
}
