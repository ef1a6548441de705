import Foundation
import SluiceCore
@testable import SluiceStore

/// A fresh directory under the system temp folder, removed when released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Path of the database file inside a (not yet existing) subdirectory, to exercise directory creation.
    var databasePath: String { url.appendingPathComponent("data/sluice.sqlite").path }

    func openStore(readerCount: Int = 2, maxPageCount: Int? = nil, migrations: [Migration] = Schema.migrations) throws(StoreError) -> SQLiteStore {
        let configuration = SQLiteStoreConfiguration(path: databasePath, readerCount: readerCount, cacheSizeKiB: 2048, maxPageCount: maxPageCount)
        return try SQLiteStore(configuration: configuration, migrations: migrations)
    }
}
