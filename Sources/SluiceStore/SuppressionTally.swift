import SluiceCore

/// Per-reason changes to `suppression_counts`, gathered while writing suppressions and applied at once.
///
/// Since schema v3 no trigger counts inserts or reason changes: every writer of `suppressions` records
/// them here and calls `flush` inside the same transaction.
struct SuppressionTally {
    // A handful of reasons: a linear scan of a small array beats hashing a String per imported row.
    private var deltas: [(reason: String, delta: Int)] = []

    /// A new row with `reason`.
    mutating func inserted(_ reason: String) { add(1, to: reason) }

    /// An existing row whose reason went from `old` to `new` (nothing when equal).
    mutating func changed(from old: String, to new: String) {
        guard old != new else { return }
        add(-1, to: old)
        add(1, to: new)
    }

    private mutating func add(_ delta: Int, to reason: String) {
        for index in deltas.indices where deltas[index].reason == reason {
            deltas[index].delta += delta
            return
        }
        deltas.append((reason, delta))
    }

    /// Adds the gathered deltas to `suppression_counts` and starts over.
    mutating func flush(in database: Database) throws(StoreError) {
        for (reason, delta) in deltas where delta != 0 {
            try database.run("""
                INSERT INTO suppression_counts (reason, n) VALUES (?1, ?2)
                ON CONFLICT (reason) DO UPDATE SET n = n + excluded.n
                """) {
                $0.bind(reason, at: 1)
                $0.bind(delta, at: 2)
            }
        }
        deltas.removeAll(keepingCapacity: true)
    }
}
