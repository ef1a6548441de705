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

    /// The `.io` error for a failed system call: what was tried and the C library's reason.
    static func error(_ action: String, _ code: Int32) -> StoreError {
        StoreError(.io, "cannot \(action): \(String(cString: strerror(code))) (errno \(code))")
    }
}
