import Foundation
import SluiceTestSupport
import SluiceCrypto
import Testing

/// Runs the built `sluice` binary against a temporary database and checks output and exit codes.
@Suite(.serialized)
struct SuppressionCLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var stdoutBytes: [UInt8]
    }

    static var binary: URL { sluiceExecutable }

    /// This test's database folder, removed when the test is done (every `sluice` run has exited by then).
    private let temporary: TestDirectory
    var directory: URL { temporary.url }

    init() throws {
        temporary = try TestDirectory(prefix: "sluice-cli")
        let migrated = try sluice(["migrate"])
        #expect(migrated.status == 0, "\(migrated.stderr)")
    }

    /// - Parameter fileSizeLimit: RLIMIT_FSIZE in 512-byte blocks, with SIGXFSZ ignored: a write past it
    ///   fails with EFBIG, as on a full disk.
    func sluice(_ arguments: [String], stdin: [UInt8]? = nil, environment extra: [String: String] = [:], fileSizeLimit: Int? = nil) throws -> Run {
        let process = Process()
        if let fileSizeLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "trap '' XFSZ; ulimit -f \(fileSizeLimit); exec \"$0\" \"$@\"", Self.binary.path] + arguments
        } else {
            process.executableURL = Self.binary
            process.arguments = arguments
        }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLUICE_") }
        environment["SLUICE_DATABASE_PATH"] = directory.appendingPathComponent("db.sqlite").path
        environment["SLUICE_LOG_LEVEL"] = "error"
        environment.merge(extra) { $1 }
        process.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin)) }
        try input.fileHandleForWriting.close()
        // Read before waiting so a full pipe cannot block the child.
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self), stderr: String(decoding: stderrData, as: UTF8.self), stdoutBytes: [UInt8](stdoutData))
    }

    /// Only serve and migrate create a database: a mistyped path must not answer from a new, empty file.
    @Test(arguments: [["suppressions", "show", "a@example.com"], ["suppressions", "add", "a@example.com"], ["stats"], ["sns", "subscriptions"]])
    func commandsRefuseADatabaseThatDoesNotExist(_ arguments: [String]) throws {
        let missing = directory.appendingPathComponent("typo/db.sqlite").path
        let run = try sluice(arguments, environment: ["SLUICE_DATABASE_PATH": missing])
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: no database at '\(missing)'"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("typo").path))
    }

    @Test func addShowListRemoveWithExitCodes() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the sluice product first")
        let add = try sluice(["suppressions", "add", "Ann@Example.com", "--reason", "complaint", "--detail", "by phone", "--expires", "2099-01-01T00:00:00Z"])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout.contains("address:          ann@example.com"))
        #expect(add.stdout.contains("expires_at:       2099-01-01T00:00:00.000Z"))
        #expect(try sluice(["suppressions", "add", "bob@example.com", "--scope", "news"]).status == 0)

        let show = try sluice(["suppressions", "show", "ANN@example.com"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("reason:           complaint"))
        let json = try sluice(["suppressions", "show", "ann@example.com", "--json"])
        #expect(json.stdout.contains(#""reason" : "complaint""#))
        let absent = try sluice(["suppressions", "show", "carol@example.com"])
        #expect(absent.status == 1)
        #expect(absent.stderr.contains("not suppressed"))

        let list = try sluice(["suppressions", "list"])
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("ADDRESS") == true)
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("ann@example.com") && lines[1].contains("complaint"))
        #expect(lines[2].hasPrefix("bob@example.com") && lines[2].contains("news"))
        let filtered = try sluice(["suppressions", "list", "--reason", "manual", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(filtered.stdout.utf8)) as? [String: Any]
        #expect((object?["suppressions"] as? [[String: Any]])?.compactMap { $0["address"] as? String } == ["bob@example.com"])

        #expect(try sluice(["suppressions", "remove", "ann@example.com"]).status == 0)
        #expect(try sluice(["suppressions", "remove", "ann@example.com"]).status == 1)
        #expect(try sluice(["suppressions", "remove", "bob@example.com"]).status == 1, "scoped rows need --scope")
        #expect(try sluice(["suppressions", "remove", "bob@example.com", "--scope", "news"]).status == 0)
    }

    @Test func sesRemoveWithoutSESChangesNothingAndExits78() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the sluice product first")
        #expect(try sluice(["suppressions", "add", "keep@example.com"]).status == 0)
        let remove = try sluice(["suppressions", "remove", "keep@example.com", "--ses"], environment: ["SLUICE_SES_TRANSPORT": "outbox"])
        #expect(remove.status == 78, "\(remove.stderr)")
        #expect(remove.stderr.contains("nothing removed"))
        #expect(try sluice(["suppressions", "show", "keep@example.com"]).status == 0, "the row is still there")
    }

    /// SES keeps one account-wide entry: `--ses` with `--scope` is a usage error, checked before SES is asked.
    @Test func sesRemoveWithAScopeExits64AndChangesNothing() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the sluice product first")
        #expect(try sluice(["suppressions", "add", "scoped@example.com", "--scope", "news"]).status == 0)
        let remove = try sluice(["suppressions", "remove", "scoped@example.com", "--scope", "news", "--ses"], environment: ["SLUICE_SES_TRANSPORT": "outbox"])
        #expect(remove.status == 64, "\(remove.stderr)")
        #expect(remove.stderr.contains("cannot be combined with a scope"))
        #expect(try sluice(["suppressions", "show", "scoped@example.com", "--scope", "news"]).status == 0, "the row is still there")
    }

    @Test func spreadsheetExportPrefixesFormulaCells() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the sluice product first")
        #expect(try sluice(["suppressions", "add", "=1+2@example.com", "--detail=-x"]).status == 0)
        let plain = try sluice(["suppressions", "export"])
        #expect(plain.stdout.contains("\r\n=1+2@example.com,=1+2@example.com,,manual,-x,"), "\(plain.stdout)")
        let safe = try sluice(["suppressions", "export", "--spreadsheet"])
        #expect(safe.status == 0)
        #expect(safe.stdout.contains("\r\n'=1+2@example.com,'=1+2@example.com,,manual,'-x,"), "\(safe.stdout)")
    }

    @Test(arguments: [
        ["suppressions", "add", "not-an-address"],
        ["suppressions", "add", "a@example.com", "--reason", "spam"],
        ["suppressions", "add", "a@example.com", "--expires", "soon"],
        ["suppressions", "show", "@example.com"],
        ["suppressions", "list", "--limit", "0"],
        ["suppressions", "import", "-", "--format", "xml"],
    ])
    func invalidInputExits64(arguments: [String]) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path))
        let run = try sluice(arguments)
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("error: "))
    }

    /// An input that cannot be read exits 66 before the store is opened: no database is created for it.
    @Test func unreadableImportInputExits66AndLeavesNoDatabase() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path))
        let folder = directory.appendingPathComponent("a-folder.csv")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        let elsewhere = directory.appendingPathComponent("elsewhere/db.sqlite").path
        for input in [folder.path, directory.appendingPathComponent("absent.csv").path] {
            let run = try sluice(["suppressions", "import", input], environment: ["SLUICE_DATABASE_PATH": elsewhere])
            #expect(run.status == 66, "\(input): \(run.stderr)")
            #expect(run.stderr.hasPrefix("error: "))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("elsewhere").path))
    }

    @Test func importAndExportRoundTrip() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path))
        let csv = directory.appendingPathComponent("in.csv")
        var text = "address,reason,detail\n"
        for i in 0..<500 { text += "p\(i)@example.org,hard_bounce,\"550, \"\"gone\"\"\"\n" }
        text += "oops\n"
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let imported = try sluice(["suppressions", "import", csv.path])
        #expect(imported.status == 1, "one row was rejected")
        #expect(imported.stdout.hasPrefix("imported 500, rejected 1"))
        #expect(imported.stdout.contains("line 502: "))

        let jsonl = try sluice(["suppressions", "import", "-", "--format", "jsonl", "--json"], stdin: Array(#"{"address":"q@example.org","reason":"complaint"}"#.utf8))
        #expect(jsonl.status == 0)
        #expect(jsonl.stdout.contains(#""imported" : 1"#))

        let export = try sluice(["suppressions", "export"])
        #expect(export.status == 0)
        let rows = export.stdout.split(separator: "\r\n")
        #expect(rows.count == 502)
        #expect(rows.first == "address,original_address,scope,reason,detail,first_seen,last_seen,count,source,expires_at")
        #expect(rows.contains { $0.hasPrefix(#"p7@example.org,p7@example.org,,hard_bounce,"550, ""gone""","#) })

        let gz = directory.appendingPathComponent("out.csv.gz")
        let zipped = try sluice(["suppressions", "export", "--gzip", "--output", gz.path])
        #expect(zipped.status == 0)
        #expect(zipped.stderr.contains("exported 501 suppressions"))
        let inflated = try Zlib.decompress([UInt8](try Data(contentsOf: gz)), maxOutput: 16 << 20, format: .gzip)
        #expect(inflated == export.stdoutBytes)

        // Replacing an export: in place only once complete, private, nothing left beside it.
        let csvOut = directory.appendingPathComponent("out.csv")
        try Data("old export\n".utf8).write(to: csvOut)
        #expect(try sluice(["suppressions", "export", "--output", csvOut.path]).status == 0)
        #expect(try [UInt8](Data(contentsOf: csvOut)) == export.stdoutBytes)
        let mode = try FileManager.default.attributesOfItem(atPath: csvOut.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // A write that fails half-way (EFBIG as on a full disk: the export is ~60 KB) leaves the old file whole.
        try Data("old export\n".utf8).write(to: csvOut)
        // 40 KB: the database's 32 KB shared-memory file fits, the export does not.
        let failed = try sluice(["suppressions", "export", "--output", csvOut.path], fileSizeLimit: 80)
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("error: cannot write '\(csvOut.path)': File too large"), "\(failed.stderr)")
        #expect(try String(contentsOf: csvOut, encoding: .utf8) == "old export\n")
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains("partial") }
        #expect(left.isEmpty, "\(left)")
        let unwritable = try sluice(["suppressions", "export", "--output", directory.appendingPathComponent("missing/out.csv").path])
        #expect(unwritable.status == 73)
        // A symbolic link at the name: its target gets the export, the link stays.
        let link = directory.appendingPathComponent("latest.csv")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: csvOut.path)
        #expect(try sluice(["suppressions", "export", "--output", link.path]).status == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == csvOut.path)
        #expect(try [UInt8](Data(contentsOf: csvOut)) == export.stdoutBytes)
        // Not a regular file (here the pipe behind /dev/stdout): written as it is.
        let piped = try sluice(["suppressions", "export", "--output", "/dev/stdout"])
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdoutBytes == export.stdoutBytes)

        let history = try sluice(["suppressions", "history", "p7@example.org"])
        #expect(history.status == 0)
        #expect(history.stdout.hasPrefix("address: p7@example.org"))
        #expect(history.stdout.contains("hard_bounce"))
    }
}
