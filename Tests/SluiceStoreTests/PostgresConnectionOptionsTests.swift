import Foundation
import Logging
import SluiceCore
@testable import SluicePostgres
import SluiceTestSupport
import Testing

/// `PGConnectionOptions`: the default `sslmode`, and URLs whose errors would quote the password.
@Suite(.serialized) struct PostgresConnectionOptionsTests {
    @Test(arguments: [
        ("postgres://u:p@db.example.com/sluice", "require"),
        ("postgres://u:p@10.0.0.5:5432/sluice", "require"),
        ("postgres://u:p@[2001:db8::1]/sluice", "require"),
        ("postgres://u:p@localhost,db.example.com/sluice", "require"),
        ("postgres://u:p@localhost/sluice", nil),
        ("postgres://u:p@127.0.0.1/sluice", nil),
        ("postgres://u:p@127.8.9.1/sluice", nil),
        ("postgres://u:p@[::1]/sluice", nil),
        ("postgres:///sluice", nil),
        ("postgres:///sluice?host=/var/run/postgresql", nil),
        ("postgres://u:p@db.example.com/sluice?hostaddr=127.0.0.1", nil),
        ("postgres://u:p@db.example.com/sluice?sslmode=disable", nil),
        ("postgres://u:p@db.example.com/sluice?sslmode=verify-full", nil),
        ("postgres://u:p@db.example.com/sluice?service=prod", nil),
        // libpq 16+ verifies on its own with `sslrootcert=system` and refuses a weaker mode beside it.
        ("postgres://u:p@db.example.com/sluice?sslrootcert=system", nil),
    ] as [(String, String?)])
    func defaultSSLModeIsRequireOnlyForAServerOverTheNetwork(url: String, expected: String?) throws {
        #expect(try PGConnectionOptions(url).defaultSSLMode(environment: [:]) == expected)
    }

    @Test func theEnvironmentDecidesWhenTheURLDoesNot() throws {
        let options = try PGConnectionOptions("postgres://u:p@db.example.com/sluice")
        #expect(options.defaultSSLMode(environment: ["PGSSLMODE": "verify-full"]) == nil)
        #expect(options.defaultSSLMode(environment: ["PGSERVICE": "prod"]) == nil)
        #expect(options.defaultSSLMode(environment: ["PGSSLROOTCERT": "/etc/ssl/db-ca.pem"]) == nil)
        let hostless = try PGConnectionOptions("postgres:///sluice")
        #expect(hostless.defaultSSLMode(environment: ["PGHOST": "db.example.com"]) == "require")
        #expect(hostless.defaultSSLMode(environment: ["PGHOST": "/tmp"]) == nil)
    }

    /// libpq's parse error quotes the URI; the store's names neither it nor the password.
    @Test(arguments: [
        "postgres://sluice:ab%zz9@db.example.com/sluice",
        "postgres://sluice:ab%zz9@[::1/sluice",
        "postgres://sluice:ab%zz9@db.example.com/sluice?nosuchoption=1",
    ])
    func anUnparsableURLIsRefusedWithoutQuotingIt(url: String) async throws {
        let error = #expect(throws: StoreError.self) {
            try PGConnection(url: url, connectTimeoutSeconds: 1, statementTimeoutMilliseconds: 1000)
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.message == "database.url is not a valid PostgreSQL URI: check the percent-encoding of the user name and password, and the option names")
        #expect(error.map { "\($0)" }?.contains("zz9") == false)
    }

    /// A connection error that would name the password (here as the user name) masks it.
    @Test func aConnectionErrorNeverCarriesThePassword() async throws {
        let server = try await PostgresTestServer.shared()
        let url = "postgres://Secr3tPw:Secr3tPw@127.0.0.1:\(server.port)/postgres?sslmode=disable"
        let error = await #expect(throws: StoreError.self) {
            try await offPool { _ = try PGConnection(url: url, connectTimeoutSeconds: 5, statementTimeoutMilliseconds: 1000) }
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("role \"***\" does not exist") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("Secr3tPw") == false)
    }

    @Test func redactingMasksThePasswordAsDecodedAndAsWritten() throws {
        let options = try PGConnectionOptions("postgres://u:p%40ss%2Fword@db.example.com/sluice")
        #expect(options.redacting("a p@ss/word b p%40ss%2Fword c") == "a *** b *** c")
    }

    /// Over the network: a notice naming the default and how to verify, a warning when not encrypted.
    @Test func theTransportIsReportedOnceForARemoteServer() {
        func lines(remote: Bool, defaulted: String?, encrypted: Bool) -> [String] {
            let lines = CapturingLogHandler.Lines()
            PostgresStore.logTransport(
                isRemote: remote, defaultedSSLMode: defaulted, isEncrypted: encrypted, server: "postgres://db.example.com/sluice",
                logger: Logger(label: "test") { _ in CapturingLogHandler(lines: lines) })
            return lines.all.map { "\($0.level) \($0.message)" }
        }
        let defaulted = lines(remote: true, defaulted: "require", encrypted: true)
        #expect(defaulted.count == 1)
        #expect(defaulted.first?.hasPrefix("notice database.url names no sslmode: using sslmode=require") == true)
        #expect(defaulted.first?.contains("sslmode=verify-full&sslrootcert=") == true)
        let plain = lines(remote: true, defaulted: nil, encrypted: false)
        #expect(plain == ["warning the PostgreSQL connection is not encrypted (sslmode in database.url); use sslmode=verify-full"])
        #expect(lines(remote: true, defaulted: nil, encrypted: true).isEmpty)
        #expect(lines(remote: false, defaulted: nil, encrypted: false).isEmpty)
    }

    /// A local server without TLS, with no sslmode in the URL: connects (libpq's `prefer`), no warning.
    @Test func aLocalServerWithoutTLSConnectsAndIsNotWarnedAbout() async throws {
        let server = try await PostgresTestServer.shared()
        let name = String(try await server.createDatabase().split(separator: "/").last!.split(separator: "?").first!)
        let url = "postgres://\(server.user)@127.0.0.1:\(server.port)/\(name)"
        let lines = CapturingLogHandler.Lines()
        let store = try await offPool {
            try PostgresStore(
                configuration: PostgresStoreConfiguration(url: url, poolSize: 1),
                logger: Logger(label: "test") { _ in CapturingLogHandler(lines: lines) })
        }
        defer { store.close() }
        #expect(try await store.schemaVersion() == PGSchema.migrations.last?.version)
        #expect(!lines.all.contains { $0.level >= .notice }, "\(lines.texts)")
    }
}
