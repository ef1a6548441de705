import Foundation
import SluiceCore

extension SQLiteStore {
    /// Keys moved per merge transaction: 0.1–0.4 s of writer time on a loaded 2-core machine, well below an
    /// import chunk's; larger steps merge with less CPU (fewer rewrites of the same pages) but hold the writer longer.
    public static let mergeStepKeys = 8192
    /// Page cache of the writer while staged rows are merged (the configured size when larger).
    static let mergeCacheKiB = 256 * 1024
    /// Runs staged before an import first drains them: each run adds a filter probe to every lookup.
    static let maxStagedRuns = 16

    /// Keys one merge transaction may move in steps of `mergeStepKeys` while no other write waits: the pages
    /// a step dirties in `suppression_domains` (random domains) are mostly the next step's too, and within one
    /// transaction each is written to the WAL once. A waiting write still waits one step at most.
    public static let mergeTransactionKeys = 131_072

    /// Moves up to `maxKeys` staged keys (the smallest) into `suppressions` in one writer transaction, then
    /// more in steps of `maxKeys`, up to `upTo` keys, while no other write is queued; returns how many keys
    /// moved, 0 once nothing is staged. Readers see each key the same before and after.
    @discardableResult
    public func mergeStagedSuppressions(maxKeys: Int = SQLiteStore.mergeStepKeys, upTo: Int? = nil) async throws(StoreError) -> Int {
        let maxKeys = max(1, maxKeys)
        let upTo = max(maxKeys, upTo ?? maxKeys)
        let cacheKiB = max(64, configuration.cacheSizeKiB)
        let writer = writer
        return try await writer.submit(alone: true) { database throws(StoreError) in
            // Merging dirties pages across four B-trees; with the normal page cache they spill to the WAL
            // mid-transaction and are read back. The larger cache lasts until nothing is staged.
            if cacheKiB < Self.mergeCacheKiB { try database.execute("PRAGMA cache_size = -\(Self.mergeCacheKiB)") }
            var moved = 0
            while true {
                let step = try Self.mergeStep(maxKeys: maxKeys, in: database)
                moved += step
                guard step == maxKeys, moved + maxKeys <= upTo, writer.pendingCount == 0 else { break }
            }
            if cacheKiB < Self.mergeCacheKiB, moved == 0 { try database.execute("PRAGMA cache_size = -\(cacheKiB)") }
            return moved
        }
    }

    /// Merges until nothing is staged; returns the keys moved.
    @discardableResult
    public func drainStagedSuppressions() async throws(StoreError) -> Int {
        var total = 0
        while true {
            let moved = try await mergeStagedSuppressions(upTo: Self.mergeTransactionKeys)
            if moved == 0 { return total }
            total += moved
        }
    }

    /// Pauses (false) or resumes (true, the default) the background merge; a paused store merges only when
    /// asked (`mergeStagedSuppressions`, `purgeExpired`, or an import that finds too many runs).
    public func setBackgroundMerge(enabled: Bool) {
        staging.setEnabled(enabled)
        if enabled { staging.start(self) }
    }

    /// Staged rows and runs waiting for the merge (an operator's and the benchmark's view).
    public func stagedSuppressions() async throws(StoreError) -> (rows: Int, runs: Int) {
        try await readers.read(transaction: true) { database throws(StoreError) in
            let rows = try database.statement("SELECT coalesce(sum(rows), 0) FROM suppression_blocks")
            defer { rows.reset() }
            _ = try rows.step()
            return (rows.int(at: 0), try SuppressionStaging.runCount(in: database))
        }
    }

    /// The numbers of the staged runs, oldest first.
    static func runNumbers(in database: Database) throws(StoreError) -> [Int] {
        let statement = try database.statement("SELECT run FROM suppression_runs ORDER BY run")
        defer { statement.reset() }
        var runs: [Int] = []
        while try statement.step() { runs.append(statement.int(at: 0)) }
        return runs
    }

    /// One merge transaction: the `maxKeys` smallest staged keys, each folded over its runs and merged into
    /// `suppressions` in key order (appends stay appends), then cut from the front of every run; emptied
    /// runs are dropped. Returns the keys moved.
    ///
    /// Whole SQL statements per step (an ordered `INSERT … SELECT … ON CONFLICT DO UPDATE` over the runs, a
    /// window-function count tally, domain entries by `INSERT … SELECT … ORDER BY`) were not cheaper: 28.6–31.1 s
    /// of writer CPU per 1,000,000 rows against 21.3–26.8 s for this (store-bench, loaded machine, load 5–11).
    static func mergeStep(maxKeys: Int, in database: Database) throws(StoreError) -> Int {
        // Random keys spread evenly over the runs: a little over maxKeys / runs rows of each are used per step.
        var scan = try StagedScan(database, after: nil, perRun: { runs in min(maxKeys, 64 + maxKeys * 5 / (4 * max(1, runs))) })
        guard !scan.isEmpty else { return 0 }
        var merged: [Suppression] = []
        merged.reserveCapacity(maxKeys)
        while merged.count < maxKeys, let group = try scan.next() {
            if let row = SuppressionFold.fold(nil, group) { merged.append(row) }
        }
        if let last = merged.last {
            var tally = SuppressionTally()
            let statements = try SuppressionRows.MergeStatements(database)
            var isNew = [Bool](repeating: false, count: merged.count)
            // Key order, as scanned: the stored B-trees are walked front to back over a whole merge.
            for index in merged.indices { isNew[index] = try statements.mergeWithoutDomain(merged[index], tally: &tally) }
            // New keys' domain entries, grouped by domain so they land in runs (see Schema.v4). Only locality
            // depends on this order, so a flat byte key sorts it cheaply.
            var entries: [(key: [UInt8], index: Int)] = []
            for index in merged.indices where isNew[index] {
                let address = merged[index].address
                entries.append((Array(SuppressionRows.domain(of: address).utf8) + [0] + Array(address.utf8), index))
            }
            entries.sort { $0.key.lexicographicallyPrecedes($1.key) }
            for entry in entries { try statements.listDomain(of: merged[entry.index]) }
            try tally.flush(in: database)
            // The scan consumed every staged row up to `last` in every run: drop the blocks wholly before it,
            // and rewrite each run's block that holds `last`'s address without the rows up to it.
            try database.run("DELETE FROM suppression_blocks WHERE run IN (SELECT run FROM suppression_runs) AND last_address < ?1") {
                $0.bind(last.address, at: 1)
            }
            for run in try runNumbers(in: database) {
                try SuppressionStaging.cut(run: run, keeping: { SuppressionFold.compareKeys(($0.address, $0.scope), (last.address, last.scope)) > 0 }, from: last.address, in: database)
            }
        }
        try database.run("""
            DELETE FROM suppression_runs WHERE NOT EXISTS (SELECT 1 FROM suppression_blocks b WHERE b.run = suppression_runs.run)
            """)
        return merged.count
    }
}
