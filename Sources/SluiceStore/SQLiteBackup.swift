import Foundation
import SluiceCore

/// An online copy of a SQLite database into a new file, safe while the service writes.
///
/// Copying the file itself is not: the newest commits may sit only in the `-wal` beside it (this store
/// checkpoints in the background and keeps the WAL as the durable copy), and a copy taken mid-checkpoint
/// is torn. `VACUUM INTO` instead reads one consistent snapshot through SQLite, WAL included, from a
/// read-only connection (the writer is never blocked), and writes a compact database with no WAL. The
/// copy goes to a hidden file beside the target, is synced, checked, and only then linked to the target
/// name, which is never overwritten: a failed backup leaves nothing behind. A killed one leaves
/// `.NAME.partial-PID-RANDOM` (and its `-journal`), which the next backup to that name removes once the PID
/// is gone.
public enum SQLiteBackup {
    /// What a finished backup holds.
    public struct Summary: Sendable, Equatable {
        public var path: String
        public var bytes: Int64
        public var schemaVersion: Int
        /// Whether `PRAGMA integrity_check` was run on the copy (it passed, or the backup would have failed).
        public var verified: Bool
    }

    /// Why a backup was not written.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public enum Kind: Sendable, Equatable {
            /// No database file at the source path.
            case sourceMissing
            /// The target exists, or its folder does not, or the copy could not be created there.
            case targetNotCreatable
            /// The copy failed its integrity check (the source may be damaged: run `sluice migrate --check`).
            case verificationFailed
            /// SQLite or the file system failed while copying.
            case store
            /// `BackupInterruption.interrupt` stopped it before it had its name; nothing was written.
            case interrupted
        }
        public var kind: Kind
        public var message: String
        public var underlying: StoreError?
        public var description: String { message }
    }

    /// Copies the database at `source` into a new file at `target`; with `verify`, runs
    /// `PRAGMA integrity_check` on the copy before it gets its name.
    /// - Parameter interruption: stops the copy from another thread (`.interrupted`, nothing left behind).
    public static func copy(
        database source: String, to target: String, verify: Bool = true, busyTimeoutMilliseconds: Int = 5000,
        interruption: BackupInterruption? = nil
    ) throws(Failure) -> Summary {
        guard FileManager.default.fileExists(atPath: source) else {
            throw Failure(kind: .sourceMissing, message: "no database at '\(source)'")
        }
        let targetURL = URL(fileURLWithPath: target)
        let folder = targetURL.deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw Failure(kind: .targetNotCreatable, message: "folder '\(folder)' does not exist")
        }
        guard !FileManager.default.fileExists(atPath: target) else {
            throw Failure(kind: .targetNotCreatable, message: "'\(target)' exists: a backup never overwrites a file")
        }
        // Left by a backup that was killed (kill -9, a crash): its process is gone, so nobody else owns them.
        PartialFile.removeStale(for: target, remove: removePartial)
        // VACUUM INTO accepts an empty file: made here with O_EXCL (a unique name nobody else holds) and
        // mode 0600, since the copy holds every address the service knows.
        let partial = try createPartialFile(beside: targetURL)
        var linked = false
        defer { if !linked { removePartial(partial) } }

        /// Nothing is written once interrupted; SQLite's error then only says so.
        func stopIfInterrupted() throws(Failure) {
            if interruption?.isInterrupted == true { throw Failure(kind: .interrupted, message: "interrupted, nothing written") }
        }
        do throws(StoreError) {
            let database = try Database(path: source, readOnly: true, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            let vacuum = { () throws(StoreError) in _ = try database.run("VACUUM INTO ?1") { $0.bind(partial, at: 1) } }
            if let interruption { try interruption.running(on: database, vacuum) } else { try vacuum() }
        } catch {
            try stopIfInterrupted()
            throw Failure(kind: .store, message: "copying '\(source)' failed: \(error)", underlying: error)
        }
        try stopIfInterrupted()
        try syncFile(partial)

        let check: SQLiteFileCheck
        do throws(StoreError) {
            check = try SQLiteFileCheck.inspect(partial, integrity: verify, interruption: interruption)
        } catch {
            try stopIfInterrupted()
            throw Failure(kind: .store, message: "reading the copy failed: \(error)", underlying: error)
        }
        if let problems = check.problems, !problems.isEmpty {
            throw Failure(kind: .verificationFailed, message: "the copy failed PRAGMA integrity_check: " + check.problemSummary)
        }
        // The last moment it can stop: from the link on the backup is whole.
        try stopIfInterrupted()

        // link(2) refuses an existing name, so a target created meanwhile is never replaced.
        guard link(partial, target) == 0 else {
            let reason = String(cString: strerror(errno))
            throw Failure(kind: .targetNotCreatable, message: "cannot create '\(target)': \(reason)")
        }
        linked = true
        unlink(partial)
        try syncFile(folder)
        let attributes = try? FileManager.default.attributesOfItem(atPath: target)
        let bytes = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        return Summary(path: target, bytes: bytes, schemaVersion: check.schemaVersion, verified: verify)
    }

    /// Removes this process's unfinished copies for `target` (and their `-journal`): for a signal handler
    /// that ends the process while `copy` runs (the `defer` there never runs then).
    public static func removePartialFiles(for target: String) {
        PartialFile.removeOwn(for: target, remove: removePartial)
    }

    /// The unfinished copy and the rollback journal VACUUM INTO keeps beside it.
    private static func removePartial(_ path: String) {
        unlink(path + "-journal")
        unlink(path)
    }

    private static func createPartialFile(beside target: URL) throws(Failure) -> String {
        do {
            let (path, descriptor) = try PartialFile.create(beside: target)
            close(descriptor)
            return path
        } catch {
            throw Failure(kind: .targetNotCreatable, message: error.description)
        }
    }

    private static func syncFile(_ path: String) throws(Failure) {
        do throws(StoreError) {
            try FileSync.sync(path, "'\(path)'")
        } catch {
            throw Failure(kind: .store, message: error.message, underlying: error)
        }
    }
}
