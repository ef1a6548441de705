extension Schema {
    /// Imports appended as sorted runs to a staging table and merged into `suppressions` in the background.
    ///
    /// Inserting a chunk of random keys into `suppressions` dirtied a page per row in each of its B-trees and
    /// wrote each twice (WAL, checkpoint), ~16 µs of CPU per row at 1,000,000 rows. An import chunk is now
    /// sorted and appended as one run: the key (run, address, scope) only grows, so every page is written once.
    /// A run holds merge deltas, not final rows: the row of a key is `suppressions` folded with the key's
    /// staged rows in run order (`SuppressionFold`), and every reader and writer of the store does that fold
    /// (see `SuppressionStaging`). `SQLiteStore.mergeStagedSuppressions` moves the runs into `suppressions`
    /// in key order, a few thousand keys per transaction. Since v8 a run's rows are packed in blocks
    /// (`suppression_blocks`, `Schema.v8`) instead of `suppression_staged`.
    static let v6 = Migration(version: 6, name: "suppression_staged_runs", sql: """
        -- One row per staged run; a run's number orders it after every earlier import chunk. `token` is
        -- random, so a cached `filter` (Bloom filter of the run's addresses) is never taken for a later run
        -- that reuses the number.
        CREATE TABLE suppression_runs (
            run INTEGER PRIMARY KEY,
            token INTEGER NOT NULL,
            filter BLOB NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE suppression_staged (
            run INTEGER NOT NULL,
            address TEXT NOT NULL,
            scope TEXT NOT NULL,
            original_address TEXT NOT NULL,
            reason TEXT NOT NULL,
            detail TEXT,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            count INTEGER NOT NULL,
            source TEXT NOT NULL,
            expires_at INTEGER,
            PRIMARY KEY (run, address, scope)
        ) WITHOUT ROWID;
        """)
}
