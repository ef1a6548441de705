import Foundation

/// A throwaway PostgreSQL cluster for tests: `initdb` into a temp directory, `pg_ctl start` on
/// 127.0.0.1 and a free port, one per test process, stopped (and its directory removed) at exit.
///
/// initdb refuses to run as root, so as root the cluster is created and run by the `postgres` user
/// (Debian's `postgresql` package creates it). Nothing is skipped: when PostgreSQL cannot start,
/// `shared()` throws an error that says why, and the test fails.
public final class PostgresTestServer: Sendable {
    public let port: Int
    public let dataDirectory: String
    let binDirectory: String
    let runAs: String?
    /// Superuser the cluster was created with (trust authentication on 127.0.0.1 only).
    public let user = "sluice"

    /// The process-wide server, started on first use (blocking; runs off the cooperative pool).
    public static func shared() async throws -> PostgresTestServer {
        try await offPool { try started.get() }
    }

    private static let started: Result<PostgresTestServer, PostgresTestServerError> = Result { () throws(PostgresTestServerError) in
        try PostgresTestServer()
    }

    /// A URL for a new, empty database on the shared server.
    public func createDatabase() async throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let server = self
        try await offPool {
            try server.run("createdb", ["-h", "127.0.0.1", "-p", String(server.port), "-U", server.user, String(name)], asServerUser: false)
        }
        return url(database: String(name))
    }

    /// The connection URL of `database`.
    public func url(database: String) -> String {
        "postgres://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    private init() throws(PostgresTestServerError) {
        guard let bin = Self.findBinDirectory() else {
            throw PostgresTestServerError("PostgreSQL server binaries not found (install the Debian package `postgresql`; Scripts/test does)")
        }
        binDirectory = bin
        runAs = getuid() == 0 ? "postgres" : nil
        if runAs != nil, getpwnam("postgres") == nil {
            throw PostgresTestServerError("running as root but there is no `postgres` user to run initdb as")
        }
        let directory = "/tmp/sluice-pg-\(getpid())-\(UUID().uuidString.prefix(8))"
        dataDirectory = directory
        port = Self.freePort()
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if let runAs, let account = getpwnam(runAs) {
                guard chown(directory, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                    throw PostgresTestServerError("cannot chown \(directory) to \(runAs)")
                }
            }
            try run("initdb", ["-D", "\(directory)/data", "-U", user, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], asServerUser: true)
            // Throwaway cluster: fsync off keeps the tests fast; the benchmarks start their own with defaults.
            let options = "-h 127.0.0.1 -p \(port) -k \(directory) -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            try run("pg_ctl", ["-D", "\(directory)/data", "-l", "\(directory)/log", "-o", options, "-w", "-t", "60", "start"], asServerUser: true)
        } catch let error as PostgresTestServerError {
            let log = (try? String(contentsOfFile: "\(directory)/log", encoding: .utf8)) ?? ""
            throw PostgresTestServerError("\(error.message)\n\(log.suffix(2000))")
        } catch {
            throw PostgresTestServerError("cannot prepare \(directory): \(error)")
        }
        PostgresTestCleanup.register(bin: bin, directory: directory, runAs: runAs)
    }

    func run(_ tool: String, _ arguments: [String], asServerUser: Bool) throws(PostgresTestServerError) {
        var command = ["\(binDirectory)/\(tool)"] + arguments
        if asServerUser, let runAs { command = ["/usr/sbin/runuser", "-u", runAs, "--"] + command }
        let outputPath = "/tmp/sluice-pg-\(getpid())-\(UUID().uuidString.prefix(8)).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status = Self.spawnAndWait(command, output: outputPath)
        guard status == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw PostgresTestServerError("\(tool) failed (status \(status)): \(text.suffix(2000))")
        }
    }

    /// posix_spawn + waitpid, not Foundation's Process: pg_ctl leaves a daemon behind that inherits every
    /// descriptor, and Process (or a pipe) then waits for descriptors the daemon keeps open. bash closes
    /// everything above stderr before exec'ing the command.
    static func spawnAndWait(_ command: [String], output: String) -> Int32 {
        guard let pid = spawn(command, output: output) else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED/WEXITSTATUS are macros: exit status in bits 8-15 when the low 7 bits are zero.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// Starts `command` with stdin from /dev/null, stdout and stderr to `output`, no other descriptor, and
    /// no LD_PRELOAD: Scripts/leak-check preloads a sanitizer runtime into the test process, and initdb
    /// and the server fail under it (libpq's side is not ours to leak-check either).
    static func spawn(_ command: [String], output: String) -> pid_t? {
        let script = #"unset LD_PRELOAD; for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null; exec "$@""#
        let argv = ["/bin/bash", "-c", script, "bash"] + command
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ) == 0 else { return nil }
        return pid
    }

    private static func findBinDirectory() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        for version in versions where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/pg_ctl") {
            return "\(root)/\(version)/bin"
        }
        return nil
    }

    /// A port the kernel just gave out on 127.0.0.1 (released again for the server to bind).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why the test PostgreSQL server did not start.
public struct PostgresTestServerError: Error, CustomStringConvertible, Sendable {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { "throwaway PostgreSQL: \(message)" }
}

/// Stops the cluster and removes its directory when the test process exits: at exit, or, after a crash or
/// SIGKILL (no atexit handler runs), by a watchdog shell that polls for this process.
enum PostgresTestCleanup {
    nonisolated(unsafe) private static var cluster: (stop: [String], directory: String)?
    // nonisolated(unsafe): written once, under the `started` global's one-time initialisation, read at exit.

    static func register(bin: String, directory: String, runAs: String?) {
        var stop = ["\(bin)/pg_ctl", "-D", "\(directory)/data", "-m", "immediate", "stop"]
        if let runAs { stop = ["/usr/sbin/runuser", "-u", runAs, "--"] + stop }
        cluster = (stop, directory)
        // Lives as long as this process, plus at most one poll.
        let watchdog = #"while kill -0 "$1" 2>/dev/null; do sleep 2; done; dir="$2"; shift 2; "$@"; rm -rf "$dir""#
        _ = PostgresTestServer.spawn(["/bin/bash", "-c", watchdog, "watchdog", String(getpid()), directory] + stop, output: "/dev/null")
        atexit {
            guard let cluster = PostgresTestCleanup.cluster else { return }
            _ = PostgresTestServer.spawnAndWait(cluster.stop, output: "/dev/null")
            try? FileManager.default.removeItem(atPath: cluster.directory)
        }
    }
}
