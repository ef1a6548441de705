import Foundation

/// What the app needs from a store beyond the data protocols: probes, schema, lifecycle and a few reads
/// the monitor and admin API use. `SQLiteStore` and `PostgresStore` conform.
public protocol StoreAdministration: Sendable {
    /// Names the database for in-process locks and messages (a file path, or the server and database);
    /// never carries a password.
    var databaseIdentity: String { get }
    /// Readiness probe: a one-row write commits.
    func checkWritable() async throws(StoreError)
    /// Finishes queued work and closes every connection.
    func close()
    /// The highest schema version applied.
    func schemaVersion() async throws(StoreError) -> Int
    /// Problems the backend's own check finds; empty when healthy (or when it has none to run).
    func integrityCheck(quick: Bool) async throws(StoreError) -> [String]
    /// When the newest stored SNS message of `type` was received; nil when none is kept.
    func lastMessageReceivedAt(type: String) async throws(StoreError) -> Date?
    /// Every suppression of `address` (normalised) in any scope, active or expired, global first.
    func suppressions(of address: String) async throws(StoreError) -> [Suppression]
    /// The group-commit counters of a backend whose writes go through one writer; nil for one that
    /// commits each write on its own (PostgreSQL). Cheap: read at every metrics scrape.
    var groupCommitStatistics: WriterStatistics? { get }
}

extension StoreAdministration {
    public var groupCommitStatistics: WriterStatistics? { nil }

    /// When the newest SES feedback notification was received.
    public func lastFeedbackReceivedAt() async throws(StoreError) -> Date? {
        try await lastMessageReceivedAt(type: "Notification")
    }
}

/// Everything the app needs from persistent storage, whichever backend holds it.
public typealias AppStore = StoreBackend & OutboundQueueStore & IdempotencyStore & StoreAdministration
    & OperationalRetentionStore & QueuePacingStore
