import Foundation
import SluiceCore

extension SQLiteStore {
    /// Every suppression of `address` (normalised) in any scope, active or expired, global first.
    public func suppressions(of address: String) async throws(StoreError) -> [Suppression] {
        try await readers.read { database throws(StoreError) in
            try SuppressionRows.merged(of: address, in: database).sorted { $0.scope < $1.scope }
        }
    }
}
