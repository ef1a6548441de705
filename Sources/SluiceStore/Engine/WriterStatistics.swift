/// Counters of the single writer, for tests, metrics and benchmarks.
public struct WriterStatistics: Sendable, Equatable {
    /// Jobs received.
    public var jobs = 0
    /// Transactions committed (each one fsync with synchronous=FULL).
    public var commits = 0
    /// Transactions that failed to commit or were rolled back by SQLite mid-batch.
    public var failedCommits = 0
    /// Jobs that threw and were rolled back to their savepoint.
    public var failedJobs = 0
    /// The largest number of jobs taken in one batch.
    public var largestBatch = 0

    public init() {}
}
