import Foundation
import SluiceCore

extension PostgresStore: LeaderElection {
    /// A session advisory lock per role on the leader connection: held while that connection lives, released
    /// by the server when the process dies or the connection drops (another instance then takes it).
    public func holdsLeadership(_ role: String) async throws(StoreError) -> Bool {
        try await leaderPool.run { [self] connection throws(StoreError) in
            if leadership.withLock({ $0[role] }) == connection.serial {
                // A round trip, not the memory alone: a connection the server dropped (a restart, a failover,
                // an idle timeout) released the lock, and only I/O shows libpq that it is gone. The failure
                // makes the pool open a new connection, which must take the lock again.
                try connection.execute("SELECT 1")
                return true
            }
            let taken = try connection.execute(
                "SELECT pg_try_advisory_lock(hashtextextended($1, 11))", [.text("sluice.leader." + role)]).bool(0, 0)
            if taken { leadership.withLock { $0[role] = connection.serial } }
            return taken
        }
    }
}
