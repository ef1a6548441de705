import Foundation

/// An unfinished output file beside its target: `.NAME.partial-PID-RANDOM`, created exclusively (O_EXCL, so
/// nobody else's file is written into) with mode 0600 (backups and exports hold every address). The PID
/// in the name lets a later run remove the file once its maker is gone (a kill -9). Backup and export
/// write their output this way and give it the target's name only when it is complete.
public enum PartialFile {
    /// Why no partial file could be made in the target's folder.
    public struct CreationError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Creates one beside `target`.
    /// - Returns: its path and an open, write-only descriptor (the caller closes it).
    public static func create(beside target: URL) throws(CreationError) -> (path: String, descriptor: Int32) {
        let folder = target.deletingLastPathComponent().path
        for _ in 0..<8 {
            let suffix = "\(getpid())-" + String(UInt32.random(in: .min ... .max), radix: 16)
            let path = folder + "/." + target.lastPathComponent + ".partial-" + suffix
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor >= 0 { return (path, descriptor) }
            guard errno == EEXIST else {
                throw CreationError(description: "cannot create a file in '\(folder)': \(String(cString: strerror(errno)))")
            }
        }
        throw CreationError(description: "cannot create a unique file in '\(folder)'")
    }

    /// The partial files beside `target`, with the PID of the process that made each; a `-journal` left
    /// without its file stands for that file.
    public static func files(for target: String) -> [(path: String, pid: pid_t)] {
        let url = URL(fileURLWithPath: target)
        let folder = url.deletingLastPathComponent().path
        let prefix = "." + url.lastPathComponent + ".partial-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var seen: Set<String> = []
        return names.compactMap { listed in
            let name = listed.hasSuffix("-journal") ? String(listed.dropLast("-journal".count)) : listed
            guard name.hasPrefix(prefix), seen.insert(name).inserted else { return nil }
            let rest = name.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            guard rest.count == 2, let pid = pid_t(rest[0]), pid > 0 else { return nil }
            return (folder + "/" + name, pid)
        }
    }

    /// Removes, with `remove`, the partial files for `target` whose process is gone.
    public static func removeStale(for target: String, remove: (String) -> Void = { unlink($0) }) {
        for (path, pid) in files(for: target) where kill(pid, 0) != 0 && errno == ESRCH { remove(path) }
    }

    /// Removes, with `remove`, this process's partial files for `target`: for a signal handler that ends the
    /// process while one is being written.
    public static func removeOwn(for target: String, remove: (String) -> Void = { unlink($0) }) {
        for (path, pid) in files(for: target) where pid == getpid() { remove(path) }
    }
}
