import Foundation
import SluiceCore

/// The staged rows of every run in (address, scope) order, grouped by key, each group oldest run first.
///
/// A k-way merge of the runs (each a key-ordered sequence of `suppression_blocks`), reading a few blocks of
/// a run at once with one cached statement, so any number of runs needs no temporary sort. Read it inside
/// one transaction (a reader snapshot or the writer's transaction).
struct StagedScan {
    private struct Run {
        let number: Int
        var rows: [Suppression] = []
        var position = 0
        var finished = false
        /// Blocks whose last address is above this are unread; nil before the first read.
        var lastBlock: String?
    }

    private let database: Database
    private var runs: [Run]
    private let cursor: SuppressionCursor?
    private let blocks: Int

    /// A scan of the keys after `cursor` (all keys without one), reading about `perRun(runs)` rows of a run at once.
    init(_ database: Database, after cursor: SuppressionCursor?, perRun: (Int) -> Int = { _ in 512 }) throws(StoreError) {
        self.database = database
        self.cursor = cursor
        let statement = try database.statement("SELECT run FROM suppression_runs ORDER BY run")
        defer { statement.reset() }
        var runs: [Run] = []
        while try statement.step() { runs.append(Run(number: statement.int(at: 0))) }
        self.runs = runs
        blocks = max(1, perRun(runs.count) / StagedBlock.typicalRows)
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

    /// The first unread row of run `index`, reading its next blocks when needed.
    private mutating func head(of index: Int) throws(StoreError) -> Suppression? {
        while runs[index].position >= runs[index].rows.count {
            guard !runs[index].finished else { return nil }
            try read(index)
        }
        return runs[index].rows[runs[index].position]
    }

    /// Reads the next blocks of run `index`: the first ones from the cursor's address (rows up to the cursor
    /// dropped), then those after the last block read. A block never splits an address, so none is skipped.
    private mutating func read(_ index: Int) throws(StoreError) {
        let after = runs[index].lastBlock
        let statement = try database.statement(after == nil ? """
            SELECT last_address, data FROM suppression_blocks WHERE run = ?1 AND last_address >= ?2
            ORDER BY last_address LIMIT ?3
            """ : """
            SELECT last_address, data FROM suppression_blocks WHERE run = ?1 AND last_address > ?2
            ORDER BY last_address LIMIT ?3
            """)
        defer { statement.reset() }
        statement.bind(runs[index].number, at: 1)
        // Addresses are never empty, so "" is before every block.
        statement.bind(after ?? cursor?.address ?? "", at: 2)
        statement.bind(blocks, at: 3)
        var rows: [Suppression] = []
        var count = 0
        while try statement.step() {
            count += 1
            runs[index].lastBlock = statement.string(at: 0)
            rows += StagedBlock.rows(statement.blob(at: 1))
        }
        if after == nil, let cursor {
            rows.removeAll { SuppressionFold.compareKeys(($0.address, $0.scope), (cursor.address, cursor.scope)) <= 0 }
        }
        if runs[index].lastBlock == nil { runs[index].lastBlock = cursor?.address ?? "" }
        runs[index].finished = count < blocks
        runs[index].position = 0
        runs[index].rows = rows
    }
}
