import Foundation
import SluiceCore
import SluicePostgres
import SluiceTestSupport
import Testing

/// Runs the conformance checks against `PostgresStore`, each check on a fresh database of the throwaway server.
@Suite(.serialized) struct PostgresConformanceTests {
    private static func withStore(_ body: (PostgresStore) async throws -> Void) async throws {
        let store = try await PostgresFixture.openStore()
        defer { store.close() }
        try await body(store)
    }

    @Test(arguments: StoreConformance.checks) func store(_ check: ConformanceCheck<StoreConformance.Subject>) async throws {
        try await check.run { body in try await Self.withStore { try await body($0) } }
    }

    @Test(arguments: QueueConformance.checks) func queue(_ check: ConformanceCheck<QueueConformance.Store>) async throws {
        try await check.run { body in try await Self.withStore { try await body($0) } }
    }
}

/// Opens `PostgresStore`s on fresh databases of the process-wide throwaway server.
enum PostgresFixture {
    /// Two stores (two "instances") on one fresh database, closed afterwards.
    static func withTwoStores(_ body: (PostgresStore, PostgresStore) async throws -> Void) async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        let one = try await openStore(url: url)
        defer { one.close() }
        let two = try await openStore(url: url)
        defer { two.close() }
        try await body(one, two)
    }

    static func openStore(url: String? = nil, poolSize: Int = 4) async throws -> PostgresStore {
        let server = try await PostgresTestServer.shared()
        let target: String
        if let url { target = url } else { target = try await server.createDatabase() }
        return try await offPool { () throws -> PostgresStore in
            try PostgresStore(configuration: PostgresStoreConfiguration(url: target, poolSize: poolSize))
        }
    }
}
