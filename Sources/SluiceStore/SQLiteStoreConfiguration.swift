import Foundation
import SluiceCore

/// How to open the SQLite store.
public struct SQLiteStoreConfiguration: Sendable {
    /// Database file path; its directory is created if missing. `:memory:` does not work (several connections).
    public var path: String
    /// How long a connection waits for a lock before `.busy`.
    public var busyTimeoutMilliseconds: Int
    /// Read-only connections in the pool (default: one per core, at least 2).
    public var readerCount: Int
    /// Page cache per connection, in KiB.
    public var cacheSizeKiB: Int
    /// Bytes of the file to memory-map for reads (0 = off).
    public var mmapSize: Int
    /// Cap on the database size in pages (nil = SQLite's default); hitting it answers `.full`.
    public var maxPageCount: Int?
    /// Page size of a new database file, in bytes (a power of two, 512-65536). An existing file keeps the
    /// size it was made with (a WAL database cannot change it, not even by VACUUM). 4096: smaller pages
    /// halve the WAL bytes of an SNS ingest but double its frames, and cost the writer more CPU (BENCHMARKS.md).
    public var pageSize: Int
    /// WAL pages after which the writer checkpoints between two transactions, after handing the last
    /// commit to the sync thread (0: SQLite's automatic checkpoint, every 1,000 pages, inside COMMIT).
    public var checkpointPages: Int
    /// Whether opening applies pending migrations or refuses a database behind this build.
    public var migration: SchemaMigration = .apply
    /// Blob size of a staged import block (`StagedBlock`); tests make it small to get many blocks per run.
    var stagedBlockBytes = StagedBlock.defaultTargetBytes

    public init(
        path: String, busyTimeoutMilliseconds: Int = 5000,
        readerCount: Int = max(2, ProcessInfo.processInfo.activeProcessorCount),
        cacheSizeKiB: Int = 32 * 1024, mmapSize: Int = 0, maxPageCount: Int? = nil,
        pageSize: Int = 4096, checkpointPages: Int = 1000
    ) {
        self.pageSize = pageSize
        self.checkpointPages = checkpointPages
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.readerCount = readerCount
        self.cacheSizeKiB = cacheSizeKiB
        self.mmapSize = mmapSize
        self.maxPageCount = maxPageCount
    }
}
