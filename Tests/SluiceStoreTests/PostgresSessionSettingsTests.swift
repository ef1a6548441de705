import Foundation
import SluiceCore
@testable import SluicePostgres
import SluiceTestSupport
import Testing

/// What every pooled session is set up with: server-side keepalives, UTF8, hex bytea.
@Suite(.serialized) struct PostgresSessionSettingsTests {
    private func settings(_ url: String) async throws -> [String: String] {
        let session = try await PostgresSession.open(url)
        return try await session.run { connection in
            let names = ["tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count", "tcp_user_timeout",
                         "client_encoding", "bytea_output"]
            var values: [String: String] = [:]
            for name in names { values[name] = try connection.execute("SELECT current_setting($1)", [.text(name)]).string(0, 0) }
            return values
        }
    }

    /// Over TCP the server probes a silent client after 15 s and gives up on it within about 30 s.
    @Test func aTCPSessionHasServerSideKeepalivesUTF8AndHexBytea() async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        let values = try await settings(url)
        #expect(values["tcp_keepalives_idle"] == "15")
        #expect(values["tcp_keepalives_interval"] == "5")
        #expect(values["tcp_keepalives_count"] == "3")
        #expect(values["tcp_user_timeout"] == "30000")
        #expect(values["client_encoding"] == "UTF8")
        #expect(values["bytea_output"] == "hex")
    }

    /// On a Unix socket PostgreSQL ignores the TCP settings (they read as 0); setting them is no error.
    @Test func aUnixSocketSessionAcceptsTheTCPSettings() async throws {
        let server = try await PostgresTestServer.shared()
        let name = String(try await server.createDatabase().split(separator: "/").last!.split(separator: "?").first!)
        let url = "postgres://\(server.user)@/\(name)?host=\(server.dataDirectory)&port=\(server.port)"
        let values = try await settings(url)
        #expect(values["tcp_keepalives_idle"] == "0")
        #expect(values["tcp_user_timeout"] == "0")
        #expect(values["client_encoding"] == "UTF8")
    }

    /// The URL cannot switch the client encoding away from UTF8.
    @Test func theURLCannotChangeTheClientEncoding() async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        let values = try await settings(url + "&client_encoding=LATIN1")
        #expect(values["client_encoding"] == "UTF8")
    }

    /// A database in another encoding would convert (or, SQL_ASCII, not check) every text: refused at connect.
    @Test func aDatabaseNotInUTF8IsRefused() async throws {
        let server = try await PostgresTestServer.shared()
        let admin = try await PostgresSession.open(try await server.createDatabase())
        let name = "t_ascii_\(UInt32.random(in: 0...UInt32.max))"
        try await admin.run { connection in
            try connection.executeScript("CREATE DATABASE \(name) ENCODING 'SQL_ASCII' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'")
        }
        let error = await #expect(throws: StoreError.self) {
            try await offPool { try PostgresStore(configuration: PostgresStoreConfiguration(url: server.url(database: name), poolSize: 1)) }
        }
        #expect(error?.code == .migration)
        #expect(error?.message.contains("SQL_ASCII") == true)
        #expect(error?.message.contains("UTF8") == true)
    }
}
