import SluiceCore

/// The `suppression_counts` changes that the SNS ingest jobs of one write transaction make, gathered in
/// memory and written just before COMMIT (`TransactionBuffer`): a handful of upserts per group commit
/// instead of one per merged suppression. Only readers read the counts, and they see the transaction whole.
final class SuppressionCountBuffer: TransactionBuffer {
    var tally = SuppressionTally()
    /// The tally at each open job savepoint (only after a job failed: see `Writer.runJob`).
    private var marks: [SuppressionTally] = []

    func begin() {
        tally = SuppressionTally()
        marks.removeAll(keepingCapacity: true)
    }

    func savepoint() { marks.append(tally) }

    func release() { _ = marks.popLast() }

    func rollBack() {
        // No mark: the buffer was made by the job being rolled back, so all it holds is that job's.
        tally = marks.popLast() ?? SuppressionTally()
    }

    func flush(into database: Database) throws(StoreError) {
        defer { begin() }
        try tally.flush(in: database)
    }
}
