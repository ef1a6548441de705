import Foundation
import Synchronization

/// A fresh directory under the system temp folder (`<prefix>-<UUID>`), removed with its contents when
/// the last reference to it goes: hold it for as long as anything (a server, a child process) uses it.
/// One still held when the test process exits (by a fixture whose `stop()` was left to a Task that
/// never ran) is removed at exit instead. Linux does not clean /tmp by itself.
public final class TestDirectory: Sendable {
    public let url: URL
    public var path: String { url.path }

    public init(prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        TemporaryPaths.register(url.path)
    }

    deinit { TemporaryPaths.remove(url.path) }
}

/// Removes `path` (a file, or a directory with its contents) when the test process exits: for what a
/// process-wide fixture in a `static let` makes, which no deinit ever releases.
public func removeAtProcessExit(_ path: String) {
    TemporaryPaths.register(path)
}

/// The paths to remove at exit, if nothing removed them before.
enum TemporaryPaths {
    private static let pending = Mutex<Set<String>>([])
    private static let exitHandler: Void = { atexit { TemporaryPaths.removeAll() } }()

    static func register(_ path: String) {
        _ = exitHandler
        pending.withLock { _ = $0.insert(path) }
    }

    static func remove(_ path: String) {
        pending.withLock { _ = $0.remove(path) }
        try? FileManager.default.removeItem(atPath: path)
    }

    static func removeAll() {
        let paths = pending.withLock { paths in
            defer { paths.removeAll() }
            return paths
        }
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
    }
}
