import Foundation
import SluiceCore
import Synchronization

extension SQLiteStore {
    /// Rows moved per merge transaction: small enough that other writes wait at most a few tens of ms.
    public static let mergeStepKeys = 8192
    /// Page cache of the writer while staged rows are merged (the configured size when larger).
    static let mergeCacheKiB = 256 * 1024
    /// Runs staged before an import merges some itself: each run adds a seek to every lookup.
    static let maxStagedRuns = 16

    /// Moves up to `maxKeys` staged rows (of the smallest keys) into `suppressions` in one writer
    /// transaction; returns how many rows moved, 0 once nothing is staged. Readers see each key the same
    /// before and after.
    @discardableResult
    public func mergeStagedSuppressions(maxKeys: Int = SQLiteStore.mergeStepKeys) async throws(StoreError) -> Int {
        let maxKeys = max(1, maxKeys)
        let cacheKiB = max(64, configuration.cacheSizeKiB)
        return try await writer.submit(alone: true) { database throws(StoreError) in
            let moved = try Self.mergeStep(maxKeys: maxKeys, in: database)
            // Merging dirties pages across four B-trees; with the normal page cache they spill to the WAL
            // mid-transaction and are read back. The larger cache lasts until nothing is staged.
            if cacheKiB < Self.mergeCacheKiB { try database.execute("PRAGMA cache_size = -\(moved > 0 ? Self.mergeCacheKiB : cacheKiB)") }
            return moved
        }
    }

    /// Merges until nothing is staged; returns the rows moved.
    @discardableResult
    public func drainStagedSuppressions() async throws(StoreError) -> Int {
        var total = 0
        while true {
            let moved = try await mergeStagedSuppressions()
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
            let rows = try database.statement("SELECT count(*) FROM suppression_staged")
            defer { rows.reset() }
            _ = try rows.step()
            return (rows.int(at: 0), try SuppressionStaging.runCount(in: database))
        }
    }

    /// One merge transaction of at most `maxKeys` staged rows: a key bound is chosen so that no run has
    /// more than its share of rows at or below it; then those rows are upserted into `suppressions` in key
    /// order (the fold of `SuppressionFold`, in SQL), their domain entries added, the counts tallied, and
    /// the rows cut from the runs. Emptied runs are dropped. Returns the rows moved.
    ///
    /// Whole SQL statements per run instead of a row at a time from Swift: building a `Suppression` per row
    /// and binding it back cost more than the B-tree work (perf, 1,000,000 keys).
    static func mergeStep(maxKeys: Int, in database: Database) throws(StoreError) -> Int {
        var runs: [Int] = []
        do {
            let statement = try database.statement("SELECT run FROM suppression_runs ORDER BY run")
            defer { statement.reset() }
            while try statement.step() { runs.append(statement.int(at: 0)) }
        }
        guard !runs.isEmpty else { return 0 }
        let share = max(1, maxKeys / runs.count)
        // The smallest of the runs' share-th keys: every run has at most `share` rows up to it. No bound when
        // every run is shorter than its share (all of them fit).
        var bound: (address: String, scope: String)?
        do {
            let statement = try database.statement("""
                SELECT address, scope FROM suppression_staged WHERE run = ?1 ORDER BY address, scope LIMIT 1 OFFSET ?2
                """)
            for run in runs {
                defer { statement.reset() }
                statement.bind(run, at: 1)
                statement.bind(share - 1, at: 2)
                guard try statement.step() else { continue }
                let key = (address: statement.string(at: 0), scope: statement.string(at: 1))
                if let current = bound, SuppressionFold.compareKeys(key, current) >= 0 { continue }
                bound = key
            }
        }
        let range = bound == nil ? "" : "AND (s.address, s.scope) <= (?2, ?3)"
        let rows = "FROM suppression_staged s WHERE s.run IN (SELECT run FROM suppression_runs) \(range)"
        func bind(_ statement: Statement) {
            if let bound {
                statement.bind(bound.address, at: 2)
                statement.bind(bound.scope, at: 3)
            }
        }
        // Counts first (see Schema.v3): per key, its stored reason before the step against the reason of its
        // last staged row (the one the fold keeps), grouped by the pair.
        var tally = SuppressionTally()
        let changes = try database.statement("""
            SELECT new, old, count(*) FROM (
                SELECT s.reason AS new, m.reason AS old,
                    lead(s.run) OVER (PARTITION BY s.address, s.scope ORDER BY s.run) AS later
                FROM suppression_staged s LEFT JOIN suppressions m ON m.address = s.address AND m.scope = s.scope
                WHERE s.run IN (SELECT run FROM suppression_runs) \(range)
            ) WHERE later IS NULL GROUP BY 1, 2
            """)
        do {
            defer { changes.reset() }
            bind(changes)
            while try changes.step() {
                let new = changes.string(at: 0), count = changes.int(at: 2)
                if let old = changes.optionalString(at: 1) {
                    tally.changed(from: old, to: new, count: count)
                } else {
                    tally.inserted(new, count: count)
                }
            }
        }
        // Domain entries grouped by domain, so they land in runs (see Schema.v4); existing ones stay.
        try database.run("""
            INSERT INTO suppression_domains (domain, address, scope)
            SELECT \(Self.domainSQL), s.address, s.scope \(rows) ORDER BY 1, 2, 3
            ON CONFLICT DO NOTHING
            """, bind)
        // One pass in key order, a key's runs oldest first: appends stay appends, and each later row of a key
        // folds onto the earlier (SuppressionFold / MergeStatements): earliest first_seen, counts added, the
        // stored spelling kept, the rest from the run.
        let moved = try database.run("""
            INSERT INTO suppressions (\(SuppressionRows.columns), domain)
            SELECT s.address, s.scope, s.original_address, s.reason, s.detail, s.first_seen, s.last_seen, s.count,
                s.source, s.expires_at, \(Self.domainSQL)
            \(rows) ORDER BY s.address, s.scope, s.run
            ON CONFLICT (address, scope) DO UPDATE SET
                first_seen = min(first_seen, excluded.first_seen), count = count + excluded.count,
                reason = excluded.reason, detail = excluded.detail, last_seen = excluded.last_seen,
                source = excluded.source, expires_at = excluded.expires_at
            """, bind)
        try database.run("""
            DELETE FROM suppression_staged WHERE run IN (SELECT run FROM suppression_runs)
                \(bound == nil ? "" : "AND (address, scope) <= (?2, ?3)")
            """, bind)
        try tally.flush(in: database)
        try database.run("""
            DELETE FROM suppression_runs WHERE NOT EXISTS (SELECT 1 FROM suppression_staged s WHERE s.run = suppression_runs.run)
            """)
        return moved
    }

    /// `SuppressionRows.domain(of:)` of `s.address` in SQL: the part after the last "@" (rtrim strips every
    /// character but "@" from the right), the whole address when there is none.
    static let domainSQL = "substr(s.address, length(rtrim(s.address, replace(s.address, '@', ''))) + 1)"
}

/// The store's staging state: the background merge of staged suppressions (one task per store, started by
/// imports and maintenance, paused while import chunks keep arriving, stopped when nothing is staged) and
/// the cache of the runs' filters that lookups consult.
final class Staging: Sendable {
    private struct State {
        var running = false
        var again = false
        var lastImport: ContinuousClock.Instant?
        var enabled = true
    }

    private let state = Mutex(State())
    /// Filters of the staged runs, loaded once per run and process.
    let filters = StagedFilterCache()
    /// How long after an import chunk the merge waits, so a running import keeps the writer to itself.
    static let importPause: Duration = .milliseconds(300)

    init() {}

    /// Allows or stops background merging (a running task stops before its next step).
    func setEnabled(_ enabled: Bool) { state.withLock { $0.enabled = enabled } }

    /// Notes that an import chunk was just committed.
    func noteImport() { state.withLock { $0.lastImport = .now } }

    /// Starts the merge task unless it runs; a running task makes one more pass before it stops.
    func start(_ store: SQLiteStore) {
        let start = state.withLock { state -> Bool in
            guard state.enabled else { return false }
            if state.running {
                state.again = true
                return false
            }
            state.running = true
            return true
        }
        guard start else { return }
        Task.detached(priority: .utility) { [self] in await run(store) }
    }

    private func run(_ store: SQLiteStore) async {
        while true {
            if let wait = pause() {
                try? await Task.sleep(for: wait)
                continue
            }
            let enabled = state.withLock { state -> Bool in
                if !state.enabled { state.running = false }
                return state.enabled
            }
            guard enabled else { return }
            let moved: Int
            do { moved = try await store.mergeStagedSuppressions() } catch {
                // Closed or failing store: stop; the next import or purge starts the merge again.
                state.withLock { $0.running = false; $0.again = false }
                return
            }
            if moved > 0 { continue }
            let stop = state.withLock { state -> Bool in
                if state.again {
                    state.again = false
                    return false
                }
                state.running = false
                return true
            }
            if stop { return }
        }
    }

    /// The time left to wait when an import chunk came in less than `importPause` ago.
    private func pause() -> Duration? {
        state.withLock { state -> Duration? in
            guard let last = state.lastImport else { return nil }
            let elapsed = ContinuousClock.now - last
            return elapsed < Self.importPause ? Self.importPause - elapsed : nil
        }
    }
}
