import Foundation
import SluiceCore

/// SQL for the staged runs (schema v6, packed in blocks since v8): appending a run, reading a key's staged
/// rows, absorbing them.
///
/// Invariant: the row of a key is `suppressions` folded with its staged rows in run order
/// (`SuppressionFold`). Readers read both in one snapshot; writers other than imports first absorb the
/// key's staged rows into `suppressions` (`absorb`), then work on `suppressions` as before.
enum SuppressionStaging {
    /// The block of run ?2 that holds every row of address ?1 in it, if any: the first block whose last
    /// address is not below ?1, when its first address is not above it (`StagedBlock`).
    static let blockOfAddressInRunSQL = """
        SELECT run, data FROM (
            SELECT run, first_address, data FROM suppression_blocks WHERE run = ?2 AND last_address >= ?1
            ORDER BY last_address LIMIT 1)
        WHERE first_address <= ?1
        """

    /// `blockOfAddressInRunSQL` for every run, oldest first.
    static let blocksOfAddressSQL = """
        SELECT b.run, b.data FROM suppression_runs r CROSS JOIN suppression_blocks b
        ON b.run = r.run AND b.last_address = (
            SELECT min(last_address) FROM suppression_blocks WHERE run = r.run AND last_address >= ?1)
        WHERE b.first_address <= ?1
        """

    /// Appends `blocks` (a run packed in key order) as a new run with its address `filter`; returns its number.
    static func append(_ blocks: [StagedBlock], filter: [UInt8], at now: Date, in database: Database) throws(StoreError) -> Int {
        let next = try database.statement("SELECT coalesce(max(run), 0) + 1 FROM suppression_runs")
        let run: Int
        do {
            defer { next.reset() }
            _ = try next.step()
            run = next.int(at: 0)
        }
        try database.run("INSERT INTO suppression_runs (run, token, filter, created_at) VALUES (?1, ?2, ?3, ?4)") {
            $0.bind(run, at: 1)
            $0.bind(Int64.random(in: Int64.min...Int64.max), at: 2)
            $0.bind(filter, at: 3)
            $0.bind(now, at: 4)
        }
        let insert = try database.statement(insertBlockSQL)
        for block in blocks {
            defer { insert.reset() }
            bind(block, run: run, to: insert)
            while try insert.step() {}
        }
        return run
    }

    private static let insertBlockSQL = """
        INSERT INTO suppression_blocks (run, last_address, first_address, rows, data) VALUES (?1, ?2, ?3, ?4, ?5)
        """

    private static func bind(_ block: StagedBlock, run: Int, to statement: Statement) {
        statement.bind(run, at: 1)
        statement.bind(block.last, at: 2)
        statement.bind(block.first, at: 3)
        statement.bind(block.count, at: 4)
        statement.bind(block.data, at: 5)
    }

    /// Number of runs (emptied runs included until the merge drops them).
    static func runCount(in database: Database) throws(StoreError) -> Int {
        let statement = try database.statement("SELECT count(*) FROM suppression_runs")
        defer { statement.reset() }
        _ = try statement.step()
        return statement.int(at: 0)
    }

    /// The staged rows of `address` (any scope), oldest run first.
    static func staged(of address: String, in database: Database) throws(StoreError) -> [(run: Int, row: Suppression)] {
        let statement = try database.statement(blocksOfAddressSQL)
        defer { statement.reset() }
        statement.bind(address, at: 1)
        var result: [(run: Int, row: Suppression)] = []
        while try statement.step() {
            let run = statement.int(at: 0)
            for row in StagedBlock.rows(of: address, in: statement.blob(at: 1)) { result.append((run, row)) }
        }
        return result
    }

    /// Folds main rows (run 0) and staged rows of one address into one row per scope, in key order.
    static func fold(_ rows: [(run: Int, row: Suppression)]) -> [Suppression] {
        // Run order within a scope; the sort is stable, and main rows (run 0) come first.
        let ordered = rows.sorted { a, b in
            let byScope = SuppressionFold.compareBytes(a.row.scope, b.row.scope)
            return byScope != 0 ? byScope < 0 : a.run < b.run
        }
        var result: [Suppression] = []
        for (_, row) in ordered {
            if let last = result.last, last.scope == row.scope {
                result[result.count - 1] = SuppressionFold.fold(last, row)
            } else {
                result.append(row)
            }
        }
        return result
    }

    /// Moves the staged rows of `address` into `suppressions` (writer only, inside its transaction).
    /// Afterwards `suppressions` alone holds the key's row, so plain SQL on it is correct again.
    static func absorb(_ address: String, in database: Database) throws(StoreError) {
        let staged = try staged(of: address, in: database)
        guard !staged.isEmpty else { return }
        var tally = SuppressionTally()
        let statements = try SuppressionRows.MergeStatements(database)
        // The staged rows folded per scope, then merged onto the stored row: associativity of the fold.
        for row in fold(staged) { try statements.merge(row, tally: &tally) }
        for run in Set(staged.map(\.run)) {
            try cut(run: run, keeping: { SuppressionFold.compareBytes($0.address, address) != 0 }, from: address, in: database)
        }
        try tally.flush(in: database)
    }

    /// Rewrites the block of run `run` that holds `address` (the first whose last address is not below it)
    /// with only the rows `keeping` accepts; deletes it when none is left.
    static func cut(run: Int, keeping: (Suppression) -> Bool, from address: String, in database: Database) throws(StoreError) {
        let select = try database.statement("""
            SELECT last_address, data FROM suppression_blocks WHERE run = ?1 AND last_address >= ?2
            ORDER BY last_address LIMIT 1
            """)
        let found: (last: String, rows: [Suppression])?
        do {
            defer { select.reset() }
            select.bind(run, at: 1)
            select.bind(address, at: 2)
            found = try select.step() ? (select.string(at: 0), StagedBlock.rows(select.blob(at: 1))) : nil
        }
        guard let found else { return }
        let kept = found.rows.filter(keeping)
        guard kept.count != found.rows.count else { return }
        try database.run("DELETE FROM suppression_blocks WHERE run = ?1 AND last_address = ?2") {
            $0.bind(run, at: 1)
            $0.bind(found.last, at: 2)
        }
        // One block again: it is no larger than before.
        for block in StagedBlock.pack(kept, targetBytes: Int.max) {
            try database.run(insertBlockSQL) { bind(block, run: run, to: $0) }
        }
    }

    /// The stored rows of `address` (run 0, `SuppressionRows.columns` from column 1) and the block of run ?2
    /// that may hold it (run, then its data in column 11), in one statement: one snapshot.
    static let mainAndOneRunSQL = """
        SELECT 0, \(SuppressionRows.columns), NULL FROM suppressions WHERE address = ?1
        UNION ALL
        SELECT run, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, data FROM (\(blockOfAddressInRunSQL))
        """

    /// `mainAndOneRunSQL` with the blocks of every run.
    static let mainAndStagedSQL = """
        SELECT 0, \(SuppressionRows.columns), NULL FROM suppressions WHERE address = ?1
        UNION ALL
        SELECT run, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, data FROM (\(blocksOfAddressSQL))
        """

    /// Reads the rows of `mainAndOneRunSQL` or `mainAndStagedSQL` (bound already): (run, row), run 0 stored.
    static func mainAndStaged(of address: String, from statement: Statement) throws(StoreError) -> [(run: Int, row: Suppression)] {
        var rows: [(run: Int, row: Suppression)] = []
        while try statement.step() {
            let run = statement.int(at: 0)
            if run == 0 {
                rows.append((0, SuppressionRows.read(statement, from: 1)))
            } else {
                for row in StagedBlock.rows(of: address, in: statement.blob(at: 11)) { rows.append((run, row)) }
            }
        }
        return rows
    }

    /// The runs whose filter may hold `address`: none (read the stored rows alone), or their numbers.
    static func candidateRuns(for address: String, filters: StagedFilterCache, in database: Database) throws(StoreError) -> [Int] {
        let statement = try database.statement("SELECT run, token FROM suppression_runs")
        var runs: [(run: Int, token: Int64)] = []
        do {
            defer { statement.reset() }
            while try statement.step() { runs.append((statement.int(at: 0), statement.int64(at: 1))) }
        }
        guard !runs.isEmpty else { return [] }
        return try filters.candidates(for: address, among: runs, in: database)
    }

    /// Whether any run is staged.
    static func hasRuns(in database: Database) throws(StoreError) -> Bool {
        let statement = try database.statement("SELECT 1 FROM suppression_runs LIMIT 1")
        defer { statement.reset() }
        return try statement.step()
    }
}
