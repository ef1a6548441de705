import Foundation

/// One claim this engine holds, from its commit to the end of its task.
struct HeldClaim: Sendable {
    /// When this engine claimed it, by its own clock (`context.now`): the claim's age for `claimCallWindow`.
    let at: Date
    /// The row's `claimed_at` as the store stamped it (the database server's clock on PostgreSQL): handed back
    /// with every change, so it applies to this claim only.
    let stamp: Date
    /// When the recipients were last checked against the suppression list (before the claim).
    let suppressionsCheckedAt: Date
}
