import Logging
import SluiceApp
import SluiceCore

/// Opens the configured database for a command; failure exits 1 naming the database (never its password).
func openStore(_ configuration: SluiceConfiguration, logger: Logger) throws -> any AppStore {
    do {
        return try Application.openStore(configuration: configuration, logger: logger)
    } catch {
        throw ExitFailure.failure("cannot open database '\(Application.databaseName(configuration: configuration))': \(error)")
    }
}
