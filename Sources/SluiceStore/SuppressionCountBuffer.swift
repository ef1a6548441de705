import SluiceCore

/// The `suppression_counts` changes that the SNS ingest jobs of one write transaction make, gathered in
/// memory and written just before COMMIT (`TransactionBuffer`): a handful of upserts per group commit
/// instead of one per merged suppression. Only readers read the counts, and they see the transaction whole.
final class SuppressionCountBuffer: TransactionBuffer {
    private var state = SavepointedValue(empty: SuppressionTally())

    /// The open transaction's changes; the ingest adds to it in place (`_modify`: no copy per merge).
    var tally: SuppressionTally {
        get { state.value }
        _modify { yield &state.value }
    }

    func begin() { state.begin() }
    func savepoint() { state.savepoint() }
    func release() { state.release() }
    func rollBack() { state.rollBack() }

    func flush(into database: Database) throws(StoreError) {
        defer { begin() }
        try state.value.flush(in: database)
    }
}
