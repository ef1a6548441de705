/// A message whose step failed before its claim, and when the dispatcher may try it again.
struct StepFailure: Sendable {
    /// Failures in a row.
    var count: Int
    /// Left alone until then.
    var until: ContinuousClock.Instant
    /// The latest failures in a row that found the row unreadable (`StoreError.corrupt`); another error resets it.
    var corruptReads: Int
}
