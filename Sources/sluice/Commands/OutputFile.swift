import Foundation
import Glibc

/// A file written under a hidden name beside its target and renamed into place only once complete, so a
/// failed write (disk full) leaves no truncated file under the name for a later `import` to read. Mode 0600:
/// exports hold addresses.
final class OutputFile {
    let path: String
    private let temporaryPath: String
    let handle: FileHandle
    private var finished = false

    /// - Throws: `ExitFailure` 73 when the file cannot be created.
    init(path: String) throws(ExitFailure) {
        let url = URL(fileURLWithPath: path)
        self.path = path
        temporaryPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())").path
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw ExitFailure(code: 73, message: "error: cannot create '\(path)': \(String(cString: strerror(errno)))")
        }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// - Throws: `ExitFailure` 1 naming the cause (`File too large`, `No space left on device`).
    func write(_ bytes: [UInt8]) throws(ExitFailure) {
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw ExitFailure(code: 1, message: "error: cannot write '\(path)': \(Self.reason(error))")
        }
    }

    /// Syncs the data and gives the file its name (replacing an older file of that name).
    func commit() throws(ExitFailure) {
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw ExitFailure(code: 1, message: "error: cannot write '\(path)': \(Self.reason(error))")
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw ExitFailure(code: 73, message: "error: cannot create '\(path)': \(reason)")
        }
        finished = true
    }

    /// Removes the partial file; nothing happens to a file already named `path`.
    func discard() {
        guard !finished else { return }
        finished = true
        try? handle.close()
        unlink(temporaryPath)
    }

    deinit { discard() }

    /// The system's words for the POSIX error under a Foundation file error.
    private static func reason(_ error: any Error) -> String {
        var current = error as NSError
        while current.domain != NSPOSIXErrorDomain, let underlying = current.userInfo[NSUnderlyingErrorKey] as? NSError {
            current = underlying
        }
        return current.domain == NSPOSIXErrorDomain ? String(cString: strerror(Int32(current.code))) : "\(error)"
    }
}
