import Foundation
import SluiceCore

/// SQL for the staged runs of schema v6: appending a run, reading a key's staged rows, absorbing them.
///
/// Invariant: the row of a key is `suppressions` folded with its staged rows in run order
/// (`SuppressionFold`). Readers read both in one snapshot; writers other than imports first absorb the
/// key's staged rows into `suppressions` (`absorb`), then work on `suppressions` as before.
enum SuppressionStaging {
    /// The staged rows of `address` (any scope), oldest run first, read with `stagedColumns`.
    static let stagedForAddressSQL = """
        SELECT run, \(SuppressionRows.columns) FROM suppression_staged
        WHERE run IN (SELECT run FROM suppression_runs) AND address = ?1
        """

    /// Appends `rows` (sorted by key, one row per key) as a new run with its address `filter`; returns its number.
    static func append(_ rows: [Suppression], filter: [UInt8], at now: Date, in database: Database) throws(StoreError) -> Int {
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
        let insert = try database.statement("""
            INSERT INTO suppression_staged (run, \(SuppressionRows.columns)) VALUES (?11, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            """)
        for row in rows {
            defer { insert.reset() }
            SuppressionRows.bind(row, domain: nil, to: insert)
            insert.bind(run, at: 11)
            while try insert.step() {}
        }
        return run
    }

    /// Number of runs (emptied runs included until the merge drops them).
    static func runCount(in database: Database) throws(StoreError) -> Int {
        let statement = try database.statement("SELECT count(*) FROM suppression_runs")
        defer { statement.reset() }
        _ = try statement.step()
        return statement.int(at: 0)
    }

    /// Reads `stagedForAddressSQL` rows: (run, row) in the order SQLite returns them.
    static func staged(of address: String, in database: Database) throws(StoreError) -> [(run: Int, row: Suppression)] {
        let statement = try database.statement(stagedForAddressSQL)
        defer { statement.reset() }
        statement.bind(address, at: 1)
        var result: [(run: Int, row: Suppression)] = []
        while try statement.step() { result.append((statement.int(at: 0), SuppressionRows.read(statement, from: 1))) }
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
        try database.run("DELETE FROM suppression_staged WHERE run IN (SELECT run FROM suppression_runs) AND address = ?1") {
            $0.bind(address, at: 1)
        }
        try tally.flush(in: database)
    }

    /// The staged rows of `address` in the one run `run` after its stored rows (run 0), one snapshot.
    static let mainAndOneRunSQL = """
        SELECT 0, \(SuppressionRows.columns) FROM suppressions WHERE address = ?1
        UNION ALL
        SELECT run, \(SuppressionRows.columns) FROM suppression_staged WHERE run = ?2 AND address = ?1
        """

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
