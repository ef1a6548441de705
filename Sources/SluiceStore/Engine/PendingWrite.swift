import SluiceCore

/// A queued write job as the writer thread sees it.
protocol PendingWrite: AnyObject {
    /// Runs the job inside its savepoint; false when it threw (its error is kept for `finish`).
    func run(_ database: Database) -> Bool
    /// The error the job threw, if it did.
    var failure: StoreError? { get }
    /// A large job (an import chunk) that gets a transaction of its own, never a savepoint in a group.
    var runsAlone: Bool { get }
    /// Resumes the caller: with `error` if given, else with the job's own result.
    func finish(with error: StoreError?)
}
