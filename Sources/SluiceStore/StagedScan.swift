import Foundation
import SluiceCore

/// The staged rows of every run in (address, scope) order, grouped by key, each group oldest run first.
///
/// A k-way merge of the runs (each is a key-ordered range of `suppression_staged`), read in batches per run
/// with one cached statement, so any number of runs needs no temporary sort. Read it inside one transaction
/// (a reader snapshot or the writer's transaction).
struct StagedScan {
    private struct Run {
        let number: Int
        var rows: [Suppression] = []
        var position = 0
        var finished = false
        var lastKey: (address: String, scope: String)
    }

    private let database: Database
    private var runs: [Run]
    private let batch: Int

    /// A scan of the keys after `cursor` (all keys without one), reading `perRun(runs)` rows of a run at once.
    init(_ database: Database, after cursor: SuppressionCursor?, perRun: (Int) -> Int = { _ in 512 }) throws(StoreError) {
        self.database = database
        let statement = try database.statement("SELECT run FROM suppression_runs ORDER BY run")
        defer { statement.reset() }
        var runs: [Run] = []
        // Addresses are never empty, so ("", "") is before every key.
        let start = (address: cursor?.address ?? "", scope: cursor?.scope ?? "")
        while try statement.step() { runs.append(Run(number: statement.int(at: 0), lastKey: start)) }
        self.runs = runs
        batch = max(1, perRun(runs.count))
    }

    /// Whether there were no runs at all.
    var isEmpty: Bool { runs.isEmpty }

    /// The next key's staged rows, oldest run first; nil after the last key.
    mutating func next() throws(StoreError) -> [Suppression]? {
        var smallest: (address: String, scope: String)?
        for index in runs.indices {
            guard let head = try head(of: index) else { continue }
            if let current = smallest, SuppressionFold.compareKeys((head.address, head.scope), current) >= 0 { continue }
            smallest = (head.address, head.scope)
        }
        guard let key = smallest else { return nil }
        var group: [Suppression] = []
        for index in runs.indices {
            guard let head = try head(of: index), SuppressionFold.compareKeys((head.address, head.scope), key) == 0 else { continue }
            group.append(head)
            runs[index].position += 1
        }
        return group
    }

    /// The first unread row of run `index`, reading its next batch when needed.
    private mutating func head(of index: Int) throws(StoreError) -> Suppression? {
        if runs[index].position < runs[index].rows.count { return runs[index].rows[runs[index].position] }
        guard !runs[index].finished else { return nil }
        let statement = try database.statement("""
            SELECT \(SuppressionRows.columns) FROM suppression_staged
            WHERE run = ?1 AND (address, scope) > (?2, ?3) ORDER BY address, scope LIMIT ?4
            """)
        defer { statement.reset() }
        statement.bind(runs[index].number, at: 1)
        statement.bind(runs[index].lastKey.address, at: 2)
        statement.bind(runs[index].lastKey.scope, at: 3)
        statement.bind(batch, at: 4)
        var rows: [Suppression] = []
        rows.reserveCapacity(batch)
        while try statement.step() { rows.append(SuppressionRows.read(statement)) }
        runs[index].finished = rows.count < batch
        runs[index].position = 0
        if let last = rows.last { runs[index].lastKey = (last.address, last.scope) }
        runs[index].rows = rows
        return rows.first
    }
}
