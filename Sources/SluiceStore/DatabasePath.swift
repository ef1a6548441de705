import Foundation
import SluiceCore

#if canImport(Glibc)
import Glibc
#endif

/// The configured database path as SQLite uses it, and the check every opener of that path makes first.
enum DatabasePath {
    /// `path` with its symlinks followed: SQLite opens (and creates) the file a symlink points to and puts
    /// its `-wal` and `-shm` beside that file, so the WAL sync, the lock file and a restore must use the
    /// same name. The file's own path when it exists; else its resolved folder and name (a dangling symlink
    /// is followed to the file SQLite would create); `path` itself when not even the folder exists.
    static func resolved(_ path: String) -> String {
        // SQLite's own names (an in-memory database, a URI) are no file paths.
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else { return path }
        var current = path
        // The last component may be a chain of symlinks (bounded as the kernel bounds them, ELOOP).
        for _ in 0..<40 {
            if let real = realpath(current) { return real }
            guard let target = symlinkTarget(current) else { break }
            current = target.hasPrefix("/") ? target : directory(of: current) + "/" + target
        }
        let name = URL(fileURLWithPath: current).lastPathComponent
        guard let folder = realpath(directory(of: current)) else { return current }
        return folder == "/" ? "/" + name : folder + "/" + name
    }

    /// Why `database` must not be opened now, or nil: its `-wal` holds commits but the database file is
    /// missing or empty. SQLite would then delete the WAL, and every commit in it, without a word (after a
    /// `kill -9`, the newest commits exist only there).
    static func walWithoutDatabase(_ database: String) -> String? {
        var wal = stat()
        guard stat(database + "-wal", &wal) == 0, wal.st_size > 0 else { return nil }
        var file = stat()
        if stat(database, &file) == 0, file.st_size > 0 { return nil }
        return "'\(database)-wal' exists without its database: move it away first"
    }

    private static func realpath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func symlinkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func directory(of path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().path
    }
}
