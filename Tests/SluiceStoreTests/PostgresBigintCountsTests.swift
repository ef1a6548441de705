import Foundation
import SluiceCore
@testable import SluicePostgres
import SluiceTestSupport
import Testing

/// Counts are BIGINT (schema v8) and saturate at `Int.max`, as on SQLite; a data exception raised by the
/// store's own SQL is not the client's fault.
@Suite(.serialized) struct PostgresBigintCountsTests {
    @Test func countsAreBigintAndSaturateAtIntMax() async throws {
        let store = try await PostgresFixture.openStore(poolSize: 1)
        defer { store.close() }
        let types = try await store.read { connection throws(StoreError) in
            let result = try connection.execute("""
                SELECT table_name, data_type FROM information_schema.columns
                WHERE column_name = 'count' AND table_name IN ('suppressions', 'soft_bounces') ORDER BY table_name
                """)
            return (0..<result.rowCount).map { "\(result.string($0, 0))=\(result.string($0, 1))" }
        }
        #expect(types == ["soft_bounces=bigint", "suppressions=bigint"])
        let address = "ovf@example.com"
        #expect(try await store.importBatch([.make(address: address, count: Int.max)]) == 1)
        #expect(try await store.importBatch([.make(address: address, count: 1), .make(address: address, count: 7)]) == 2)
        #expect(try await store.suppression(for: address, scope: nil, at: referenceDate)?.count == Int.max)
        _ = try await store.ingest(.make(), events: [.make(.hardBounce, address: address)], policy: TestPolicy())
        #expect(try await store.suppression(for: address, scope: nil, at: referenceDate)?.count == Int.max)
        // Past INTEGER's range, where v7's column refused the write.
        let big = Int(Int32.max) + 10
        #expect(try await store.importBatch([.make(address: "big@example.com", count: big)]) == 1)
        #expect(try await store.suppression(for: "big@example.com", scope: nil, at: referenceDate)?.count == big)
    }

    /// A database at v7 keeps its rows through v8.
    @Test func upgradingFromV7KeepsTheCounts() async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        let v7 = try await PostgresFixture.openStoreAt(url: url, migrations: PGSchema.migrations.filter { $0.version <= 7 })
        #expect(try await v7.importBatch([.make(address: "kept@example.com", count: 41)]) == 1)
        v7.close()
        let current = try await PostgresFixture.openStore(url: url, poolSize: 1)
        defer { current.close() }
        #expect(try await current.schemaVersion() >= 8)
        #expect(try await current.suppression(for: "kept@example.com", scope: nil, at: referenceDate)?.count == 41)
    }

    /// Out of range, bad encoding…: a 5xx-class code without the server's text (which can quote the value).
    @Test(arguments: ["22003", "22021", "22P02"])
    func aDataExceptionIsNoInvalidInputAndQuotesNothing(state: String) {
        let error = PGFailure(sqlState: state, message: "invalid input syntax for type bigint: \"secret@example.com\"")
            .storeError(connectionLost: false)
        #expect(error.code != .invalidInput)
        #expect(error.code == .io)
        #expect(!error.message.contains("secret"))
        #expect(error.message.contains(state))
    }
}

extension PostgresFixture {
    /// A store that applies only `migrations` (an older build).
    static func openStoreAt(url: String, migrations: [PGMigration]) async throws -> PostgresStore {
        try await offPool {
            try PostgresStore(
                configuration: PostgresStoreConfiguration(url: url, poolSize: 1), logger: PostgresStore.silentLogger, migrations: migrations)
        }
    }
}
