/// Counters of a store's single group-committing writer (the SQLite store's `Writer`), for tests, metrics
/// (`sluice_store_*`) and benchmarks. Monotonic while the store is open, except `largestBatch`.
public struct WriterStatistics: Sendable, Equatable {
    /// Jobs received.
    public var jobs = 0
    /// Transactions committed (their frames written to the WAL; see `syncs`).
    public var commits = 0
    /// `fdatasync` calls of the sync thread that succeeded; one covers every commit made before it.
    public var syncs = 0
    /// `fdatasync` calls that failed (their commits' callers got an error).
    public var failedSyncs = 0
    /// Syncs of the database file after the writer's checkpoints, on their own thread (`DatabaseSyncer`).
    public var databaseSyncs = 0
    /// Those syncs that failed (the store then refuses writes until a restart).
    public var failedDatabaseSyncs = 0
    /// Transactions that failed to commit or were rolled back by SQLite mid-batch.
    public var failedCommits = 0
    /// Jobs that threw and were rolled back to their savepoint.
    public var failedJobs = 0
    /// Groups rolled back after a job failed without a savepoint, and applied again job by job in savepoints.
    public var retriedGroups = 0
    /// Checkpoints the writer ran between transactions (see `SQLiteStoreConfiguration.checkpointPages`).
    public var checkpoints = 0
    /// The largest number of jobs taken in one batch.
    public var largestBatch = 0

    public init() {}
}
