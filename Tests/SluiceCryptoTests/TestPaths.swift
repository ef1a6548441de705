import Foundation

/// Locates repository folders from this file's path (tests run from any working directory).
enum TestPaths {
    /// The `Tests` folder.
    static let tests: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests" && url.path != "/" { url.deleteLastPathComponent() }
        return url
    }()

    static let fixtures = tests.appendingPathComponent("Fixtures")
    static let repositoryRoot = tests.deletingLastPathComponent()
}
