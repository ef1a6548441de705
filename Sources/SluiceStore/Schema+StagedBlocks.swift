extension Schema {
    /// Staged runs stored as packed blocks (`StagedBlock`), many rows per SQLite row, instead of one row each.
    ///
    /// Appending a v6 run wrote one 11-column row per suppression: ~3.5 µs of writer CPU per row at 1,000,000
    /// rows, most of the import's writer time. A run is now a sequence of blobs of ~10 rows, encoded before
    /// the writer takes the chunk, keyed by (run, last address); a block never splits an address, so the
    /// staged rows of an address in a run are in the first block whose last address is not below it.
    /// Runs, their filters and the fold are unchanged (see `Schema.v6`).
    ///
    /// Rows staged under v6 are merged into `suppressions` here, in run order, as the merge would (the rule
    /// of `Suppression.merging`), so the upgrade holds every key the same before and after.
    static let v8 = Migration(version: 8, name: "suppression_staged_blocks", sql: """
        INSERT INTO suppressions (address, scope, original_address, reason, detail, first_seen, last_seen, count,
                source, expires_at, domain)
            SELECT address, scope, original_address, reason, detail, first_seen, last_seen, count, source, expires_at,
                -- The part after the last "@" (`SuppressionRows.domain(of:)`): rtrim strips every character
                -- but "@" from the right, leaving the address up to its last "@".
                substr(address, length(rtrim(address, replace(address, '@', ''))) + 1)
            FROM suppression_staged WHERE run IN (SELECT run FROM suppression_runs)
            ORDER BY run, address, scope
            ON CONFLICT (address, scope) DO UPDATE SET
                first_seen = min(first_seen, excluded.first_seen),
                -- Saturating, as `Suppression.merging` (SQLite turns an overflowing sum into a REAL).
                count = CASE WHEN count > 9223372036854775807 - excluded.count THEN 9223372036854775807
                    ELSE count + excluded.count END,
                reason = excluded.reason, detail = excluded.detail, last_seen = max(suppressions.last_seen, excluded.last_seen),
                source = excluded.source, expires_at = excluded.expires_at;
        INSERT INTO suppression_domains (domain, address, scope)
            SELECT s.domain, s.address, s.scope FROM suppression_staged t
            JOIN suppressions s ON s.address = t.address AND s.scope = t.scope
            WHERE t.run IN (SELECT run FROM suppression_runs)
            ON CONFLICT DO NOTHING;
        -- Counts are kept by the store's writes (Schema.v3), which this bypassed: recount once.
        DELETE FROM suppression_counts;
        INSERT INTO suppression_counts (reason, n) SELECT reason, count(*) FROM suppressions GROUP BY reason;
        DROP TABLE suppression_staged;
        DELETE FROM suppression_runs;
        CREATE TABLE suppression_blocks (
            run INTEGER NOT NULL,
            last_address TEXT NOT NULL,
            first_address TEXT NOT NULL,
            rows INTEGER NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (run, last_address)
        ) WITHOUT ROWID;
        """)
}
