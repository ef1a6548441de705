import Foundation
import SluiceCore

extension PostgresStore: LeaderElection {
    /// A session advisory lock per role on the leader connection: held while that connection lives, released
    /// by the server when the process dies or the connection drops (another instance then takes it).
    public func holdsLeadership(_ role: String) async throws(StoreError) -> Bool {
        try await leaderPool.run { [self] connection throws(StoreError) in
            if leadership.withLock({ $0[role] }) == connection.serial { return true }
            let taken = try connection.execute(
                "SELECT pg_try_advisory_lock(hashtextextended($1, 11))", [.text("sluice.leader." + role)]).bool(0, 0)
            if taken { leadership.withLock { $0[role] = connection.serial } }
            return taken
        }
    }
}
