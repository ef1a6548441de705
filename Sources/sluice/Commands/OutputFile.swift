import Foundation
import Glibc
import SluiceStore

/// A command's output file (`--output`), written as a `PartialFile` beside its target and renamed into
/// place only once complete, so a failed write (disk full) or an interrupted command (SIGINT/SIGTERM: the
/// partial file is removed, exit 130/143) leaves no truncated file under the name for a later `import`
/// to read. A symbolic link at the name is followed (its target is replaced); an existing file that is not
/// a regular one (a FIFO, `/dev/stdout`) is written as it is.
final class OutputFile {
    let path: String
    private let temporaryPath: String?
    private let target: String
    let handle: FileHandle
    private var finished = false
    private let signals: SignalWatcher?

    /// - Throws: `ExitFailure` 73 when the file cannot be created.
    init(path: String) throws(ExitFailure) {
        self.path = path
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            guard info.st_mode & S_IFMT != S_IFDIR, let handle = FileHandle(forWritingAtPath: path) else {
                throw ExitFailure(code: 73, message: "error: cannot create '\(path)': not a file")
            }
            self.handle = handle
            target = path
            temporaryPath = nil
            signals = nil
            return
        }
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        // Left by an export that was killed (kill -9): its process is gone, so nobody else owns them.
        PartialFile.removeStale(for: target)
        let partial: (path: String, descriptor: Int32)
        do {
            partial = try PartialFile.create(beside: URL(fileURLWithPath: target))
        } catch {
            throw ExitFailure(code: 73, message: "error: cannot create '\(path)': \(error.description)")
        }
        self.target = target
        temporaryPath = partial.path
        handle = FileHandle(fileDescriptor: partial.descriptor, closeOnDealloc: true)
        // An interrupted command never reaches `discard`: the handler removes the partial file itself.
        signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { signal in
            PartialFile.removeOwn(for: target)
            let message = "error: interrupted, '\(path)' not written\n"
            _ = message.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
            _exit(128 + signal)
        }
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
        guard let temporaryPath else {
            finished = true
            try? handle.close()
            return
        }
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw ExitFailure(code: 1, message: "error: cannot write '\(path)': \(Self.reason(error))")
        }
        // From here a signal takes its default action: at worst a partial file the next run removes, never
        // an "interrupted" message about a file that was written.
        signals?.stop()
        guard rename(temporaryPath, target) == 0 else {
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
        if let temporaryPath { unlink(temporaryPath) }
        signals?.stop()
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
