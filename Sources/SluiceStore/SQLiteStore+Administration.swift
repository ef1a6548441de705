import Foundation
import SluiceCore

extension SQLiteStore: StoreAdministration {
    /// The database file path.
    public var databaseIdentity: String { configuration.path }
}
