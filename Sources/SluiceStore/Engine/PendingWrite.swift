import SluiceCore

/// A queued write job as the writer thread sees it.
protocol PendingWrite: AnyObject {
    /// Runs the job inside the group's transaction (and its own savepoint once a job of the group failed);
    /// false when it threw (its error is kept for `finish`).
    func run(_ database: Database) -> Bool
    /// The error the job threw, if it did.
    var failure: StoreError? { get }
    /// A large job (an import chunk) that gets a transaction of its own, never a place in a group.
    var runsAlone: Bool { get }
    /// Resumes the caller: with `error` if given, else with the job's own result.
    func finish(with error: StoreError?)
}
