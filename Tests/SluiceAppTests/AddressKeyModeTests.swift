import Foundation
import Logging
import SluiceApp
import SluiceCore
import SluiceStore
import SluiceTestSupport
import Testing

/// `policy.case_sensitive_local_part` is recorded in the database on first use; another value later is a
/// configuration error, not keys that silently stop matching.
struct AddressKeyModeTests {
    static let insensitive = AddressNormalizerConfiguration(caseInsensitiveLocalPart: true)
    static let sensitive = AddressNormalizerConfiguration(caseInsensitiveLocalPart: false)

    static func check(_ store: any SettingsStore) async throws {
        // First use records the configured mode; the same mode passes again.
        try await AddressKeyMode.check(insensitive, store: store)
        #expect(try await store.setting(AddressKeyMode.settingKey) == "false")
        try await AddressKeyMode.check(insensitive, store: store)
        let error = await #expect(throws: AddressKeyModeMismatch.self) { try await AddressKeyMode.check(sensitive, store: store) }
        #expect(error?.configured == "true")
        #expect(error?.recorded == "false")
        #expect(error?.description.contains("policy.case_sensitive_local_part is true") == true)
        #expect(try await store.setting(AddressKeyMode.settingKey) == "false", "a refused start records nothing")
    }

    @Test func sqliteRecordsTheModeAndRefusesAnother() async throws {
        let directory = try TestDirectory(prefix: "sluice-keymode")
        let path = directory.url.appendingPathComponent("db.sqlite").path
        do {
            let store = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: path))
            defer { store.close() }
            try await Self.check(store)
        }
        // Recorded in the file: a reopened store still refuses the other mode.
        let reopened = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: path))
        defer { reopened.close() }
        await #expect(throws: AddressKeyModeMismatch.self) { try await AddressKeyMode.check(Self.sensitive, store: reopened) }
    }

    @Test func inMemoryStoreToo() async throws {
        try await Self.check(InMemoryStore())
    }

    /// The CLI's suppression commands exit 78 naming the setting, and touch nothing.
    @Test func cliRefusesAnotherModeWithExit78() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: sluiceExecutable.path), "build the sluice product first")
        let directory = try TestDirectory(prefix: "sluice-keymode-cli")
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLUICE_") }
        environment["SLUICE_DATABASE_PATH"] = directory.url.appendingPathComponent("db.sqlite").path
        environment["SLUICE_LOG_LEVEL"] = "error"
        #expect(try await runChildProcess(sluiceExecutable, ["migrate"], environment: environment).status == 0)
        let add = try await runChildProcess(sluiceExecutable, ["suppressions", "add", "Jane@example.com"], environment: environment)
        #expect(add.status == 0, "\(add.stderr)")

        environment["SLUICE_POLICY_CASE_SENSITIVE_LOCAL_PART"] = "true"
        for arguments in [["suppressions", "show", "Jane@example.com"], ["suppressions", "add", "Bob@example.com"]] {
            let run = try await runChildProcess(sluiceExecutable, arguments, environment: environment)
            #expect(run.status == 78, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains("configuration error: policy.case_sensitive_local_part is true"), "\(run.stderr)")
        }
        environment["SLUICE_POLICY_CASE_SENSITIVE_LOCAL_PART"] = "false"
        let show = try await runChildProcess(sluiceExecutable, ["suppressions", "show", "JANE@example.com"], environment: environment)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(try await runChildProcess(sluiceExecutable, ["suppressions", "show", "bob@example.com"], environment: environment).status == 1, "nothing was added")
    }
}
