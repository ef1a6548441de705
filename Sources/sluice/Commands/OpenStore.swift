import Foundation
import Logging
import SluiceApp
import SluiceCore

/// Opens the configured database for a command; failure exits 1 naming the database (never its password).
/// - Parameter creating: only `migrate` creates a missing SQLite file or changes the schema. Any other
///   command on a mistyped path would otherwise make a new, empty database and act on it (answer "not
///   suppressed", or pause sending that the service never sees), and one run with a new binary before the
///   service restarts would migrate the schema under the old service.
func openStore(_ configuration: SluiceConfiguration, logger: Logger, creating: Bool = false) throws -> any AppStore {
    let path = configuration.string("database.path")
    if !creating, configuration.string("database.url").isEmpty, !FileManager.default.fileExists(atPath: path) {
        throw ExitFailure.failure(
            "no database at '\(path)': check SLUICE_DATABASE_PATH (database.path); `sluice migrate` or `sluice serve` creates it")
    }
    do {
        return try Application.openStore(configuration: configuration, logger: logger, migration: creating ? .apply : .requireCurrent)
    } catch {
        throw ExitFailure.failure("cannot open database '\(Application.databaseName(configuration: configuration))': \(error)")
    }
}

/// Every command that writes or looks up suppression keys: keys made under the other
/// `policy.case_sensitive_local_part` would miss the stored ones, so a mismatch exits 78.
func checkAddressKeyMode(_ configuration: SluiceConfiguration, store: any AppStore) async throws {
    do {
        try await AddressKeyMode.check(AddressKeyMode.normalizerConfiguration(configuration), store: store)
    } catch let error as AddressKeyModeMismatch {
        throw ExitFailure.configuration(error.description)
    } catch {
        throw ExitFailure.failure("cannot read the database's settings: \(error)")
    }
}
