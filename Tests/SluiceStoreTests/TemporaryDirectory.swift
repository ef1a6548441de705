import Foundation
import Logging
import SluiceCore
import SluiceTestSupport
@testable import SluiceStore

/// A fresh directory under the system temp folder, removed when released (`TestDirectory`), with the
/// store's paths in it.
final class TemporaryDirectory {
    private let directory: TestDirectory
    var url: URL { directory.url }

    init() throws { directory = try TestDirectory(prefix: "sluice-store") }

    /// Path of the database file inside a (not yet existing) subdirectory, to exercise directory creation.
    var databasePath: String { url.appendingPathComponent("data/sluice.sqlite").path }

    func openStore(
        path: String? = nil, readerCount: Int = 2, maxPageCount: Int? = nil, checkpointPages: Int = 1000,
        migrations: [Migration] = Schema.migrations, logger: Logger = SQLiteStore.silentLogger
    ) throws(StoreError) -> SQLiteStore {
        let configuration = SQLiteStoreConfiguration(
            path: path ?? databasePath, readerCount: readerCount, cacheSizeKiB: 2048, maxPageCount: maxPageCount,
            checkpointPages: checkpointPages)
        return try SQLiteStore(configuration: configuration, logger: logger, migrations: migrations)
    }
}
