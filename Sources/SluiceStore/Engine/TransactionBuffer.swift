import SluiceCore

/// Rows that the jobs of one write transaction gather in memory and the writer inserts just before COMMIT,
/// so many jobs share one row (the SNS audit pack) instead of writing one each.
///
/// The writer drives it: `begin` after BEGIN, `savepoint` / `release` / `rollBack` around each job's
/// savepoint (a job rolled back leaves nothing behind), `flush` before COMMIT. A transaction that is
/// rolled back as a whole simply never flushes; the next `begin` forgets what it gathered.
protocol TransactionBuffer: AnyObject {
    /// A transaction began: start empty.
    func begin()
    /// A job's savepoint opened: remember where the buffer stands.
    func savepoint()
    /// The job's savepoint was released: keep what it added.
    func release()
    /// The job's savepoint was rolled back: drop what it added.
    func rollBack()
    /// Inserts what the transaction gathered; throws to fail the whole transaction.
    func flush(into database: Database) throws(StoreError)
}

extension Database {
    /// The `T` buffer of this connection, made on first use (and from then on driven by the writer).
    func transactionBuffer<T: TransactionBuffer>(_ type: T.Type, _ make: () -> T) -> T {
        for buffer in transactionBuffers {
            if let match = buffer as? T { return match }
        }
        let buffer = make()
        transactionBuffers.append(buffer)
        return buffer
    }

    func beginTransactionBuffers() { for buffer in transactionBuffers { buffer.begin() } }
    func savepointTransactionBuffers() { for buffer in transactionBuffers { buffer.savepoint() } }
    func releaseTransactionBuffers() { for buffer in transactionBuffers { buffer.release() } }
    func rollBackTransactionBuffers() { for buffer in transactionBuffers { buffer.rollBack() } }
    func flushTransactionBuffers() throws(StoreError) {
        for buffer in transactionBuffers { try buffer.flush(into: self) }
    }
}
