/// One instance among several on a shared database does a job (sending alerts): the leader.
/// Stores used by one instance only (SQLite) do not conform; their instance always leads.
public protocol LeaderElection: Sendable {
    /// Whether this process holds the leadership of `role` now, taking it when free. Leadership lasts
    /// until this process exits or loses its database connection.
    func holdsLeadership(_ role: String) async throws(StoreError) -> Bool
}
