extension PGSchema {
    /// Counts as BIGINT, as SQLite's INTEGER and `Suppression.addingCounts` (saturating at `Int.max`): an
    /// INTEGER column failed a merge past 2^31-1 (an imported count) with an out-of-range error. Rewrites both
    /// tables once (an ACCESS EXCLUSIVE lock for as long as that takes).
    static let v8 = PGMigration(version: 8, name: "bigint_counts", sql: """
        ALTER TABLE suppressions ALTER COLUMN count TYPE BIGINT;
        ALTER TABLE soft_bounces ALTER COLUMN count TYPE BIGINT;
        """)
}
