import Foundation
import SluiceCore

/// Puts a backup made by `SQLiteBackup` in place of a stopped service's database.
///
/// The database's own `-wal` must go with it: SQLite replays a WAL it finds beside a file without
/// checking that the two belong together, so a restored file next to the old WAL would be corrupted at
/// the next open. The current database and its WAL are kept as a pair (`NAME.replaced-STAMP` and
/// `NAME.replaced-STAMP-wal`, which SQLite opens together again); the `-shm` index is rebuilt. Refused
/// while any process has the database open: a store holds `NAME.lock` shared (`DatabaseLock`) and SQLite
/// locks on the file; the restore holds that lock exclusively from its check to the end of the swap, so
/// a service starting meanwhile waits for it instead of creating a new database under the name.
///
/// The name never goes missing, and a complete pair always exists: the old database and WAL get their
/// aside names as hard links first (synced), then the live WAL goes and the copy is renamed over the
/// database in one step. Interrupted after the WAL went, the live name holds the old database without
/// its newest commits until a restore runs again; the pair aside has every one.
public enum SQLiteRestore {
    public struct Summary: Sendable, Equatable {
        /// Where the replaced database now is (nil when there was none).
        public var replacedPath: String?
        public var schemaVersion: Int
        public var bytes: Int64
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public enum Kind: Sendable, Equatable {
            /// The backup is missing, damaged, not a Sluice database, or from a newer schema.
            case badBackup
            /// A process holds the database open (stop the service first).
            case inUse
            /// File system errors while swapping the files.
            case io
        }
        public var kind: Kind
        public var message: String
        public var description: String { message }
    }

    /// The points between the swap's steps (tests stop a restore there, as a kill would).
    enum Step: Sendable {
        /// The old database and WAL have their aside names too, synced; nothing else changed.
        case replacedKept
        /// The live WAL is gone; the copy is not in place yet.
        case liveWALRemoved
    }

    /// The highest migration this build knows: a backup from a newer build is refused.
    public static var newestSchemaVersion: Int { Schema.migrations.map(\.version).max() ?? 0 }

    /// Replaces the database at `database` with a copy of `backup`.
    public static func restore(
        backup: String, into database: String, newestSchemaVersion: Int = newestSchemaVersion, now: Date = Date()
    ) throws(Failure) -> Summary {
        try restore(backup: backup, into: database, newestSchemaVersion: newestSchemaVersion, now: now, stoppingAt: { _ in })
    }

    /// `stoppingAt` runs between the swap's steps; what it throws ends the restore there, with no undoing.
    static func restore(
        backup: String, into configured: String, newestSchemaVersion: Int, now: Date, stoppingAt: (Step) throws(Failure) -> Void
    ) throws(Failure) -> Summary {
        // A symlinked database: the file it points to is replaced (with its WAL beside it), the link stays.
        let database = DatabasePath.resolved(configured)
        let schemaVersion = try check(backup: backup, newestSchemaVersion: newestSchemaVersion)
        // Early, so a running service is reported before a large backup is copied; checked again below.
        try checkNotInUse(database)
        try checkWALHasDatabase(database)
        let fileManager = FileManager.default
        let folder = URL(fileURLWithPath: database).deletingLastPathComponent().path
        guard fileManager.fileExists(atPath: folder) else {
            throw Failure(kind: .io, message: "folder '\(folder)' does not exist")
        }

        // A rollback journal beside the name would be replayed into the restored file on its first open.
        if fileManager.fileExists(atPath: database + "-journal") {
            throw Failure(kind: .io, message: "'\(database)-journal' exists: a rollback journal of another database file; move it away first")
        }

        // The copy first, beside the database, synced: until the swap below nothing has changed. Under a name
        // of its own (`.NAME.partial-PID-RANDOM`), so a second restore running at once cannot write into it;
        // one left by a restore that was killed is removed here.
        PartialFile.removeStale(for: database)
        let incoming: String
        do {
            let partial = try PartialFile.create(beside: URL(fileURLWithPath: database))
            close(partial.descriptor)
            incoming = partial.path
        } catch {
            throw Failure(kind: .io, message: error.description)
        }
        // Registered before the copy: a copy that fails midway (a full disk) has created the file already.
        var placed = false
        defer { if !placed { try? fileManager.removeItem(atPath: incoming) } }
        do {
            // copyItem makes the file itself; the name stays ours (PID and random part).
            try fileManager.removeItem(atPath: incoming)
            try fileManager.copyItem(atPath: backup, toPath: incoming)
        } catch {
            throw Failure(kind: .io, message: "cannot copy '\(backup)' into '\(folder)': \(error.localizedDescription)")
        }
        try takeOwnership(of: incoming, from: database)
        try sync(incoming)

        // From here to the end of the swap no store opens the database (DatabaseLock).
        let lock = try exclusiveLock(database)
        defer { lock.release() }
        // Readable by the service's user when root made it (systemd's DynamicUser).
        try? takeOwnership(of: DatabaseLock.path(for: database), from: database)
        try checkNotInUse(database)

        var replaced: String?
        var hadWAL = false
        if fileManager.fileExists(atPath: database) {
            let aside = asideName(for: database, at: now)
            hadWAL = fileManager.fileExists(atPath: database + "-wal")
            try keep(database, as: aside, withWAL: hadWAL, folder: folder)
            replaced = aside
            try stoppingAt(.replacedKept)
            // Before the rename: the old WAL must never sit beside the restored file (it would be replayed).
            if hadWAL {
                guard unlink(database + "-wal") == 0 else {
                    let reason = String(cString: strerror(errno))
                    _ = unlink(aside)
                    _ = unlink(aside + "-wal")
                    throw Failure(kind: .io, message: "cannot remove '\(database)-wal': \(reason)")
                }
            }
            try stoppingAt(.liveWALRemoved)
        } else {
            try checkWALHasDatabase(database)
        }
        try? fileManager.removeItem(atPath: database + "-shm")
        do throws(Failure) {
            try rename(incoming, database)
        } catch {
            // The old database still has its name: its WAL gets its name back too.
            if let replaced, hadWAL { _ = link(replaced + "-wal", database + "-wal") }
            throw error
        }
        placed = true
        try sync(folder)
        let attributes = try? fileManager.attributesOfItem(atPath: database)
        return Summary(
            replacedPath: replaced, schemaVersion: schemaVersion,
            bytes: (attributes?[.size] as? NSNumber)?.int64Value ?? 0)
    }

    /// Gives the database (and its WAL) the `aside` names too, as hard links, and syncs the folder: from
    /// then on a complete pair exists under those names whatever happens to the live ones.
    private static func keep(_ database: String, as aside: String, withWAL: Bool, folder: String) throws(Failure) {
        guard link(database, aside) == 0 else {
            throw Failure(kind: .io, message: "cannot link '\(database)' to '\(aside)': \(String(cString: strerror(errno)))")
        }
        if withWAL, link(database + "-wal", aside + "-wal") != 0 {
            let reason = String(cString: strerror(errno))
            _ = unlink(aside)
            throw Failure(kind: .io, message: "cannot link '\(database)-wal' to '\(aside)-wal': \(reason)")
        }
        try sync(folder)
    }

    private static func exclusiveLock(_ database: String) throws(Failure) -> DatabaseLock {
        let taken: DatabaseLock?
        do throws(StoreError) {
            taken = try DatabaseLock.exclusive(for: database)
        } catch {
            throw Failure(kind: .io, message: error.message)
        }
        guard let taken else {
            throw Failure(
                kind: .inUse,
                message: "'\(database)' is open in a Sluice process (it holds '\(DatabaseLock.path(for: database))'): stop the service first")
        }
        return taken
    }

    /// The same refusal as a store's open (`DatabasePath.walWithoutDatabase`): the new file would be put
    /// beside a WAL that is not its own.
    private static func checkWALHasDatabase(_ database: String) throws(Failure) {
        if let message = DatabasePath.walWithoutDatabase(database) { throw Failure(kind: .io, message: message) }
    }

    private static func checkNotInUse(_ database: String) throws(Failure) {
        if let holder = try lockHolder(of: database) {
            throw Failure(kind: .inUse, message: "'\(database)' is open in process \(holder): stop the service first")
        }
    }

    /// `NAME.replaced-20261201T133405` (UTC), with `-2`, `-3`, … when a restore in the same second took it.
    private static func asideName(for database: String, at now: Date) -> String {
        let stamp = ISO8601DateFormatter.string(
            from: now, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withYear, .withMonth, .withDay, .withTime])
        let base = database + ".replaced-" + stamp
        var name = base
        var index = 2
        while FileManager.default.fileExists(atPath: name) || FileManager.default.fileExists(atPath: name + "-wal") {
            name = base + "-\(index)"
            index += 1
        }
        return name
    }

    /// The backup's schema version, after `PRAGMA integrity_check` and a look at its migrations table.
    private static func check(backup: String, newestSchemaVersion: Int) throws(Failure) -> Int {
        guard FileManager.default.fileExists(atPath: backup) else {
            throw Failure(kind: .badBackup, message: "no backup at '\(backup)'")
        }
        // A backup made by `SQLiteBackup` has no WAL; one that has could be replayed onto it here.
        guard !FileManager.default.fileExists(atPath: backup + "-wal") else {
            throw Failure(kind: .badBackup, message: "'\(backup)' has a -wal file beside it: restore only files made by `sluice backup`")
        }
        let check: SQLiteFileCheck
        do throws(StoreError) {
            check = try SQLiteFileCheck.inspect(backup, integrity: true)
        } catch {
            throw Failure(kind: .badBackup, message: "'\(backup)' is not a readable Sluice database: \(error)")
        }
        if let problems = check.problems, !problems.isEmpty {
            throw Failure(kind: .badBackup, message: "'\(backup)' failed PRAGMA integrity_check: " + check.problemSummary)
        }
        let version = check.schemaVersion
        guard version > 0 else { throw Failure(kind: .badBackup, message: "'\(backup)' has no Sluice schema") }
        guard version <= newestSchemaVersion else {
            throw Failure(kind: .badBackup, message: "'\(backup)' is at schema version \(version), newer than this build's \(newestSchemaVersion)")
        }
        return version
    }

    /// The process holding a POSIX lock on `path` (SQLite locks byte ranges of the database file for as long
    /// as a connection has it open in WAL mode), or nil when none does or there is no file yet.
    static func lockHolder(of path: String) throws(Failure) -> pid_t? {
        // F_GETLK asks about a write lock whatever the descriptor's mode, so read access is enough.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw Failure(kind: .io, message: "cannot check whether '\(path)' is in use: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var probe = flock()
        probe.l_type = Int16(F_WRLCK)
        probe.l_whence = Int16(SEEK_SET)
        probe.l_start = 0
        probe.l_len = 0  // the whole file, SQLite's lock bytes past its end included
        guard fcntl(descriptor, F_GETLK, &probe) == 0 else {
            throw Failure(kind: .io, message: "cannot check whether '\(path)' is in use: \(String(cString: strerror(errno)))")
        }
        return probe.l_type == Int16(F_UNLCK) ? nil : probe.l_pid
    }

    /// Gives the restored file the owner, group and mode of the database it replaces, so the service's
    /// user can open it (e.g. systemd's DynamicUser while an operator restores as root); 0600 of the
    /// caller's user when there is none.
    private static func takeOwnership(of path: String, from database: String) throws(Failure) {
        var existing = stat()
        guard stat(database, &existing) == 0 else {
            guard chmod(path, 0o600) == 0 else { throw Failure(kind: .io, message: "cannot chmod '\(path)': \(String(cString: strerror(errno)))") }
            return
        }
        guard chown(path, existing.st_uid, existing.st_gid) == 0 else {
            throw Failure(kind: .io, message: "cannot give '\(path)' the owner of '\(database)' (uid \(existing.st_uid)): "
                + "\(String(cString: strerror(errno))); run restore as that user or as root")
        }
        guard chmod(path, existing.st_mode & 0o777) == 0 else {
            throw Failure(kind: .io, message: "cannot chmod '\(path)': \(String(cString: strerror(errno)))")
        }
    }

    private static func rename(_ from: String, _ to: String) throws(Failure) {
        guard Foundation.rename(from, to) == 0 else {
            throw Failure(kind: .io, message: "cannot rename '\(from)' to '\(to)': \(String(cString: strerror(errno)))")
        }
    }

    private static func sync(_ path: String) throws(Failure) {
        do throws(StoreError) {
            try FileSync.sync(path, "'\(path)'")
        } catch {
            throw Failure(kind: .io, message: error.message)
        }
    }
}
