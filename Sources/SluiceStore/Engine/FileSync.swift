import Foundation
import SluiceCore

/// `fsync` by path: of a file, or of a folder so that the names of files created or renamed in it
/// survive power loss.
enum FileSync {
    static func sync(_ path: String, _ what: @autoclosure () -> String) throws(StoreError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw error("open \(what())", errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw error("fsync \(what())", errno) }
    }

    /// Creates `directory` and its missing parents (mode 0777 before the umask, as `mkdir -p`), syncing
    /// each new folder's parent after creating it, so the whole path survives power loss. Returns the
    /// folders synced, outermost first.
    @discardableResult
    static func createDirectories(_ directory: String) throws(StoreError) -> [String] {
        var synced: [String] = []
        var missing: [URL] = []
        var folder = URL(fileURLWithPath: directory).standardizedFileURL
        while !FileManager.default.fileExists(atPath: folder.path), folder.path != "/" {
            missing.append(folder)
            folder = folder.deletingLastPathComponent()
        }
        for folder in missing.reversed() {
            if mkdir(folder.path, 0o777) != 0 {
                let code = errno
                // Made by someone else meanwhile: theirs to sync, but syncing the parent again is harmless.
                guard code == EEXIST else { throw error("create the folder '\(folder.path)'", code) }
            }
            let parent = folder.deletingLastPathComponent().path
            try sync(parent, "the folder holding '\(folder.path)'")
            synced.append(parent)
        }
        return synced
    }

    /// The `.io` error for a failed system call: what was tried and the C library's reason.
    static func error(_ action: String, _ code: Int32) -> StoreError {
        StoreError(.io, "cannot \(action): \(String(cString: strerror(code))) (errno \(code))")
    }
}
